"""SSRF guard: private, loopback and link-local targets are refused before any connection."""

from __future__ import annotations

import pytest

from subgraphs.kit.net import UrlNotAllowedError, is_public, resolve_target

REFUSED = [
    "http://127.0.0.1/hook",
    "http://127.1.2.3:8080/hook",
    "http://10.0.0.8/hook",
    "http://172.16.5.4/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://[::1]/hook",
    "http://[fe80::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://0.0.0.0/hook",
    "http://localhost:9000/hook",
    "http://metadata.internal.example/hook",
    "http://rebind.example/hook",
]
FAKE_DNS = {
    "metadata.internal.example": ["169.254.169.254"],
    "rebind.example": ["93.184.216.34", "10.1.2.3"],  # one private answer is enough to refuse
    "public.example": ["93.184.216.34"],
}


class NoTraffic:
    """Resolver for tests: answers from FAKE_DNS, falls back to the system for `localhost`."""

    async def __call__(self, host: str, port: int) -> list[str]:
        if host in FAKE_DNS:
            return FAKE_DNS[host]
        from subgraphs.kit.net import system_resolver

        return await system_resolver(host, port)


@pytest.mark.parametrize("url", REFUSED)
async def test_non_public_targets_are_refused(url: str) -> None:
    with pytest.raises(UrlNotAllowedError, match="non-public address"):
        await resolve_target(url, allow_private=False, resolver=NoTraffic())


async def test_public_target_is_pinned_to_its_checked_address() -> None:
    target = await resolve_target(
        "https://public.example/hooks?x=1", allow_private=False, resolver=NoTraffic()
    )
    assert target.url == "https://93.184.216.34:443/hooks?x=1"
    assert target.host_header == "public.example"
    assert target.sni_hostname == "public.example"


async def test_opt_in_allows_loopback_and_bad_schemes_never_pass() -> None:
    target = await resolve_target("http://127.0.0.1:9/x", allow_private=True)
    assert target.url == "http://127.0.0.1:9/x"
    for url in ("file:///etc/passwd", "gopher://127.0.0.1/", "http:///nohost"):
        with pytest.raises(UrlNotAllowedError):
            await resolve_target(url, allow_private=True)


def test_address_classes() -> None:
    assert is_public("93.184.216.34")
    assert is_public("2606:4700:4700::1111")
    for address in ("127.0.0.1", "10.0.0.1", "169.254.1.1", "::1", "fc00::1", "224.0.0.1"):
        assert not is_public(address)
