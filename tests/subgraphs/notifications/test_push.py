"""Web Push against a real HTTP receiver on 127.0.0.1 acting as the push service; the
payload is decrypted with the subscription's private key, as a browser would."""

from __future__ import annotations

import base64
import json
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from subgraphs.notifications.delivery import DeliveryConfig, PushSender
from subgraphs.notifications.delivery.push import PushResult, PushTarget
from subgraphs.tickets.events import TicketAssigned
from tests.subgraphs.notifications.harness import (
    REGISTER,
    SET_PREFS,
    UNREGISTER,
    NotificationsHarness,
    Team,
)

PUSHES = "{ pushSubscriptions { endpoint } }"


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@dataclass
class PushService:
    """Answers `status` to every POST and keeps what it got."""

    status: int = 201
    received: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    port: int = 0


@pytest.fixture
def push_service() -> Iterator[PushService]:
    service = PushService()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            service.received.append((self.path, headers, body))
            self.send_response(service.status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Browser:
    key: ec.EllipticCurvePrivateKey
    auth: bytes

    @classmethod
    def new(cls) -> Browser:
        return cls(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    @property
    def p256dh(self) -> str:
        point = self.key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return b64(point)

    def decrypt(self, body: bytes) -> Any:
        clear = http_ece.decrypt(
            body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(clear)


def vapid_config() -> DeliveryConfig:
    key = ec.generate_private_key(ec.SECP256R1())
    raw = key.private_numbers().private_value.to_bytes(32, "big")
    return DeliveryConfig(vapid_private_key=b64(raw), push_allow_private=True)


def _assigned(team: Team) -> TicketAssigned:
    return TicketAssigned(
        tenant_id=team.tenant_id,
        actor=str(team.owner.id),
        ticket_id=uuid.uuid4(),
        assignee_id=team.agent.id,
        previous_assignee_id=None,
        rule="manual",
    )


async def _register(nh: NotificationsHarness, team: Team, endpoint: str, browser: Browser) -> Any:
    variables = {"e": endpoint, "k": browser.p256dh, "a": b64(browser.auth)}
    return (await nh.ok(REGISTER, variables, team=team, who=team.agent))["registerPushSubscription"]


async def test_push_is_delivered_encrypted_to_the_subscription(
    nh: NotificationsHarness, team: Team, push_service: PushService
) -> None:
    browser = Browser.new()
    endpoint = f"http://127.0.0.1:{push_service.port}/push/{uuid.uuid4()}"
    registered = await _register(nh, team, endpoint, browser)
    assert registered["userErrors"] == []
    assert registered["subscription"]["endpoint"] == endpoint
    # the default preferences push CONVERSATION_ASSIGNED, not TICKET_ASSIGNED: turn it on
    change = [{"kind": "TICKET_ASSIGNED", "inApp": True, "email": False, "push": True}]

    await nh.ok(SET_PREFS, {"p": change}, team=team, who=team.agent)
    event = _assigned(team)
    await nh.deliver(team, event)
    stats = await nh.dispatch(team, nh.dispatcher(vapid_config()))
    assert stats.sent == 2
    assert stats.failed == 0
    ((path, headers, body),) = push_service.received
    assert endpoint.endswith(path)
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["authorization"].startswith("vapid t=")
    payload = browser.decrypt(body)
    assert payload["kind"] == "TICKET_ASSIGNED"
    assert payload["subject_id"] == str(event.ticket_id)
    assert payload["title"] == "A ticket was assigned to you"
    assert "user_id" not in payload


async def test_gone_endpoints_are_removed(
    nh: NotificationsHarness, team: Team, push_service: PushService
) -> None:
    push_service.status = 410
    browser = Browser.new()
    endpoint = f"http://127.0.0.1:{push_service.port}/gone"
    await _register(nh, team, endpoint, browser)
    mention_prefs = [{"kind": "TICKET_ASSIGNED", "inApp": False, "email": False, "push": True}]

    await nh.ok(SET_PREFS, {"p": mention_prefs}, team=team, who=team.agent)
    await nh.deliver(team, _assigned(team))
    stats = await nh.dispatch(team, nh.dispatcher(vapid_config()))
    assert stats.removed_push_subscriptions == 1
    assert len(push_service.received) == 1
    listed = await nh.ok(PUSHES, {}, team=team, who=team.agent)
    assert listed["pushSubscriptions"] == []


async def test_register_validates_and_ssrf_guard_refuses_loopback(
    nh: NotificationsHarness, team: Team
) -> None:
    browser = Browser.new()
    bad_key = await nh.ok(
        REGISTER, {"e": "https://push.example.com/x", "k": "abc", "a": b64(browser.auth)},
        team=team, who=team.agent,
    )  # fmt: skip
    assert bad_key["registerPushSubscription"]["userErrors"][0]["field"] == "p256dh"
    nh.deps.config = replace(nh.deps.config, push_allow_private=False)
    nh.deps.push = None  # production mode: the SSRF guard applies
    for endpoint in ("http://127.0.0.1:9/p", "https://127.0.0.1/p", "https://10.0.0.8/p"):
        refused = await _register(nh, team, endpoint, browser)
        assert refused["userErrors"][0]["code"] == "PUSH_ENDPOINT_NOT_ALLOWED", endpoint
    # the dispatcher checks again at send time (a row could predate the policy)
    sender = PushSender(replace(vapid_config(), push_allow_private=False))

    outcome = await sender.send(PushTarget("https://127.0.0.1/p", browser.p256dh, "x"), {})
    assert outcome.result is PushResult.FAILED
    assert "not allowed" in (outcome.error or "")


async def test_push_subscriptions_are_per_user_and_tenant(
    nh: NotificationsHarness, team: Team, push_service: PushService
) -> None:
    other_team = await nh.team()
    endpoint = f"http://127.0.0.1:{push_service.port}/mine"
    await _register(nh, team, endpoint, Browser.new())
    assert (await nh.ok(PUSHES, {}, team=team, who=team.other))["pushSubscriptions"] == []
    theirs = await nh.ok(PUSHES, {}, team=other_team, who=other_team.agent)
    assert theirs["pushSubscriptions"] == []
    # neither another user nor another tenant can remove it
    gone = await nh.ok(UNREGISTER, {"e": endpoint}, team=team, who=team.other)
    assert gone["unregisterPushSubscription"]["removed"] is False
    gone = await nh.ok(UNREGISTER, {"e": endpoint}, team=other_team, who=other_team.agent)
    assert gone["unregisterPushSubscription"]["removed"] is False
    forged = await nh.gql(REGISTER, {"e": endpoint, "k": "a", "a": "b"}, tenant=team.tenant,
                          token=other_team.agent.token)  # fmt: skip
    assert forged["data"] is None
    mine = await nh.ok(PUSHES, {}, team=team, who=team.agent)
    assert mine["pushSubscriptions"] == [{"endpoint": endpoint}]
    removed = await nh.ok(UNREGISTER, {"e": endpoint}, team=team, who=team.agent)
    assert removed["unregisterPushSubscription"]["removed"] is True
