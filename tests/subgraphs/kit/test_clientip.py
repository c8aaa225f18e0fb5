"""`subgraphs.kit.clientip`: the router's `x-client-ip` is believed from trusted routers only."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from subgraphs.kit.clientip import client_ip


def connection(peer: str | None, **headers: str) -> HTTPConnection:
    scope = {
        "type": "http",
        "headers": [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
        "client": (peer, 1234) if peer else None,
    }
    return HTTPConnection(scope)


def test_header_believed_only_from_a_trusted_router() -> None:
    assert client_ip(connection("127.0.0.1", x_client_ip="203.0.113.7")) == "203.0.113.7"
    assert client_ip(connection("::1", x_client_ip="2001:db8::5")) == "2001:db8::5"
    # anyone else: the peer, whatever it claims (X-Forwarded-For is never read)
    spoof = {"x_client_ip": "6.6.6.6", "x_forwarded_for": "7.7.7.7"}
    assert client_ip(connection("198.51.100.9", **spoof)) == "198.51.100.9"
    # a trusted router without the header, or with garbage in it: the peer
    assert client_ip(connection("127.0.0.1")) == "127.0.0.1"
    assert client_ip(connection("127.0.0.1", x_client_ip="not-an-ip")) == "127.0.0.1"
    assert client_ip(connection(None, x_client_ip="6.6.6.6")) is None


def test_trusted_routers_are_configurable() -> None:
    routers = "10.0.0.0/8, 192.168.1.2"
    assert client_ip(connection("10.4.4.4", x_client_ip="1.2.3.4"), routers) == "1.2.3.4"
    assert client_ip(connection("127.0.0.1", x_client_ip="1.2.3.4"), routers) == "127.0.0.1"
    assert client_ip(connection("10.4.4.4", x_client_ip="1.2.3.4"), "") == "10.4.4.4"
