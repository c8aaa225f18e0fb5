"""The kit's SSRF guard against real local receivers: names resolving to loopback, pinning
of the checked address (DNS rebinding) and redirects, directly and through the dispatcher."""

from __future__ import annotations

import httpx
import pytest
from redis.asyncio import Redis

from subgraphs.integrations import repository
from subgraphs.integrations.dispatcher import WebhookDispatcher, WebhookOptions
from subgraphs.kit.ids import TenantId
from subgraphs.kit.net import UrlNotAllowedError, pinned_post
from tests.events.conftest import World
from tests.events.helpers import add_endpoint, fan_out, produce
from tests.events.receiver import Script, receiver


def by_name(url: str, name: str) -> str:
    """`url` (on 127.0.0.1) with the host replaced by `name`."""
    return url.replace("127.0.0.1", name)


class Rebinding:
    """Answers loopback on the first lookup, then an unroutable private address."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, host: str, port: int) -> list[str]:
        self.calls += 1
        return ["127.0.0.1"] if self.calls == 1 else ["10.255.255.1"]


async def test_localhost_is_refused_in_production_mode() -> None:
    script = Script([200])
    with receiver(script) as url:
        async with httpx.AsyncClient(timeout=2) as client:
            with pytest.raises(UrlNotAllowedError, match="non-public address"):
                await pinned_post(
                    client, by_name(url, "localhost"), content=b"{}", headers={},
                    allow_private=False,
                )  # fmt: skip
    assert script.received == []


async def test_localhost_is_allowed_when_configured_and_keeps_its_host_header() -> None:
    script = Script([200])
    with receiver(script) as url:
        target = by_name(url, "localhost")
        async with httpx.AsyncClient(timeout=2) as client:
            response = await pinned_post(
                client, target, content=b"{}", headers={}, allow_private=True
            )
    assert response.status_code == 200
    [got] = script.received
    assert got.headers["Host"] == target.split("/")[2]


async def test_the_checked_address_is_used_not_a_second_lookup() -> None:
    """The name is resolved once; the connection goes to that address (the system resolver
    knows nothing of `hooks.rebind.test`, and the second answer would be unreachable)."""
    script = Script([200])
    resolver = Rebinding()
    with receiver(script) as url:
        target = by_name(url, "hooks.rebind.test")
        async with httpx.AsyncClient(timeout=2) as client:
            response = await pinned_post(
                client, target, content=b"{}", headers={}, allow_private=True, resolver=resolver
            )
    assert response.status_code == 200
    assert resolver.calls == 1
    assert script.received[0].headers["Host"] == target.split("/")[2]


async def test_redirect_to_a_private_address_is_not_followed() -> None:
    inner, outer = Script([200]), Script([])
    with receiver(inner) as private_url:
        outer.answers = [("redirect", private_url)]
        with receiver(outer) as url:
            async with httpx.AsyncClient(timeout=2, follow_redirects=True) as client:
                response = await pinned_post(
                    client, url, content=b"{}", headers={}, allow_private=True
                )
    assert response.status_code == 307
    assert len(outer.received) == 1
    assert inner.received == []


@pytest.mark.postgres
@pytest.mark.redis
async def test_dispatcher_refuses_localhost_and_records_why(world: World, redis: Redis) -> None:
    tenant = world.tenants[0]
    script = Script([200])
    with receiver(script) as url:
        await add_endpoint(world, tenant, by_name(url, "localhost"), [])
        await produce(world, tenant, 1)
        await fan_out(world, redis)
        dispatcher = WebhookDispatcher(world.source, world.session, WebhookOptions(timeout=0.5))
        await dispatcher.dispatch_tenant(tenant)
        await dispatcher.aclose()
    assert script.received == []
    assert await last_attempt(world, tenant) == (None, "non-public address")


@pytest.mark.postgres
@pytest.mark.redis
async def test_dispatcher_does_not_follow_a_redirect(
    world: World, redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEBHOOK_ALLOW_PRIVATE", "true")
    tenant = world.tenants[1]
    inner, outer = Script([200]), Script([])
    with receiver(inner) as private_url:
        outer.answers = [("redirect", private_url)]
        with receiver(outer) as url:
            await add_endpoint(world, tenant, by_name(url, "localhost"), [])
            await produce(world, tenant, 1)
            await fan_out(world, redis)
            dispatcher = WebhookDispatcher(world.source, world.session, WebhookOptions.from_env())
            await dispatcher.dispatch_tenant(tenant)
            await dispatcher.aclose()
    assert len(outer.received) == 1
    assert inner.received == []
    assert await last_attempt(world, tenant) == (307, "HTTP 307")


async def last_attempt(world: World, tenant: TenantId) -> tuple[int | None, str]:
    async with world.session(tenant) as session:
        [delivery] = await repository.list_deliveries(session, None, 10)
        rows = await repository.list_attempts(session, delivery.id)
    status, error = rows[-1].status_code, rows[-1].error or ""
    return status, ("non-public address" if "non-public address" in error else error)
