"""Build and run the worker: relay, consumers, webhook dispatcher and scheduler.

`run_worker(runtime, stop)` is what `saas-platform worker` runs (Redis Streams when REDIS_URL
is set). `run_embedded_worker(runtime, stop)` is the hook for `saas-platform dev`: the same
loops in the dev process, on in-memory streams and an in-process leader lock when there is
no Redis, publishing realtime updates on the runtime's pub/sub hub (`runtime_pubsub`), the
one the subgraph apps of the process subscribe on: with `memory://`, a message published
on any other hub would reach no subscriber.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from saas_platform.settings import Settings
from saas_platform.worker.jobs import JOB_FUNCTIONS, scheduled_jobs
from saas_platform.worker.tenants import ControlTenantSource
from subgraphs.integrations import events as _integration_events  # noqa: F401
from subgraphs.integrations.dispatcher import WebhookDispatcher, WebhookOptions
from subgraphs.integrations.service import WEBHOOKS_TOPIC, webhooks_subscription
from subgraphs.kit.events import (
    Consumer,
    ConsumerOptions,
    MemoryStreams,
    RedisStreams,
    Relay,
    RelayOptions,
    Streams,
    Subscription,
)
from subgraphs.kit.events.jobs import jobs_subscription
from subgraphs.kit.events.leader import LeaderLock, MemoryLeaderLock, RedisLeaderLock
from subgraphs.kit.events.scheduler import Scheduler
from subgraphs.kit.events.wake import RedisWakeSignal, start_wake_publisher
from subgraphs.kit.pubsub import PubSub
from subgraphs.kit.runtime import Runtime

__all__ = [
    "ROLES",
    "Worker",
    "build_worker",
    "embedded_worker",
    "run_embedded_worker",
    "run_worker",
    "runtime_pubsub",
]

logger = logging.getLogger("worker")
ROLES = ("relay", "consumers", "webhooks", "scheduler")
_MEMORY_KEY = "events.memory_streams"


@dataclass
class Worker:
    streams: Streams
    relay: Relay | None = None
    consumers: list[Consumer] = field(default_factory=list)
    dispatcher: WebhookDispatcher | None = None
    scheduler: Scheduler | None = None
    redis: Any | None = None

    async def run(self, stop: asyncio.Event) -> None:
        loops = [c.run(stop) for c in self.consumers]
        if self.relay is not None:
            loops.append(self.relay.run(stop))
        if self.dispatcher is not None:
            loops.append(self.dispatcher.run(stop))
        if self.scheduler is not None:
            loops.append(self.scheduler.run(stop))
        # events committed by this worker (handlers, dispatcher) wake relays of other workers
        stop_announcing = start_wake_publisher(self.redis)[1] if self.redis is not None else None
        try:
            await asyncio.gather(*loops)
        finally:
            if stop_announcing is not None:
                stop_announcing()
            if self.redis is not None:
                await self.redis.aclose()


def relay_options_from_env() -> RelayOptions:
    return RelayOptions(sweep_interval=float(os.environ.get("EVENTS_SWEEP_INTERVAL", "30")))


def consumer_options_from_env() -> ConsumerOptions:
    env = os.environ
    return ConsumerOptions(
        max_deliveries=int(env.get("EVENTS_MAX_DELIVERIES", "5")),
        claim_idle_ms=int(env.get("EVENTS_CLAIM_IDLE_MS", "30000")),
        retry_base=float(env.get("EVENTS_RETRY_BASE", "0.5")),
    )


def default_subscriptions(runtime: Runtime) -> list[Subscription]:
    from subgraphs.kit.events.catalog import load_platform_events
    from subgraphs.registry import PORTS

    load_platform_events(PORTS)  # the webhooks group reads every domain that has events
    from subgraphs.chat.consumers import ticket_links
    from subgraphs.notifications.consumers import notifications_subscription
    from subgraphs.tickets.consumers import chat_escalations

    sessions = runtime.tenants.session
    return [
        webhooks_subscription(),
        jobs_subscription(JOB_FUNCTIONS, sessions),
        ticket_links(),  # chat: an escalation's link becomes LINKED on tickets.ticket_created
        chat_escalations(),  # tickets: chat.conversation_escalated creates the ticket
        notifications_subscription(),  # assignments, mentions, SLA -> notifications
    ]


def _backends(runtime: Runtime) -> tuple[Streams, LeaderLock, Any | None]:
    settings = runtime.extras.get("settings")
    redis_url = settings.redis_url if isinstance(settings, Settings) else None
    if redis_url:
        from redis.asyncio import Redis

        client = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=10)
        return RedisStreams(client), RedisLeaderLock(client), client
    # one in-memory stream store per process, shared by the dev process's worker loops
    memory = runtime.extras.setdefault(_MEMORY_KEY, MemoryStreams())
    lock = runtime.extras.setdefault("events.memory_lock", MemoryLeaderLock())
    return memory, lock, None


def build_worker(
    runtime: Runtime,
    *,
    roles: Iterable[str] = ROLES,
    name: str | None = None,
    subscriptions: list[Subscription] | None = None,
    consumer_options: ConsumerOptions | None = None,
    relay_options: RelayOptions | None = None,
    pubsub: PubSub | None = None,
) -> Worker:
    """`pubsub`: the hub scheduled jobs publish realtime updates on (default: their own
    `PubSub.from_env()`, right for a separate worker process on Redis)."""
    chosen = set(roles)
    unknown = chosen - set(ROLES)
    if unknown:
        raise ValueError(f"unknown worker roles {sorted(unknown)}; known: {', '.join(ROLES)}")
    streams, lock, client = _backends(runtime)
    tenants = ControlTenantSource(runtime.control)
    sessions = runtime.tenants.session
    worker = Worker(streams=streams, redis=client)
    if "relay" in chosen:
        wake = RedisWakeSignal(client) if client is not None else None
        relay_opts = relay_options or relay_options_from_env()
        worker.relay = Relay(streams, tenants, sessions, relay_opts, wake=wake)
    if "consumers" in chosen:
        options = consumer_options or consumer_options_from_env()
        for subscription in subscriptions or default_subscriptions(runtime):
            consumer_name = f"{name}-{subscription.group}" if name else None
            worker.consumers.append(
                Consumer(streams, subscription, sessions, name=consumer_name, options=options)
            )
    if "webhooks" in chosen:
        hooks_wake = RedisWakeSignal(client, WEBHOOKS_TOPIC) if client is not None else None
        worker.dispatcher = WebhookDispatcher(
            tenants, sessions, WebhookOptions.from_env(), wake=hooks_wake
        )
    if "scheduler" in chosen:
        worker.scheduler = Scheduler(lock, scheduled_jobs(tenants, sessions, pubsub), owner=name)
    return worker


async def run_worker(
    runtime: Runtime, stop: asyncio.Event, roles: Iterable[str] = ROLES, name: str | None = None
) -> None:
    await build_worker(runtime, roles=roles, name=name).run(stop)


def runtime_pubsub(runtime: Runtime) -> PubSub:
    """The process's pub/sub hub, shared by the subgraph apps built on `runtime`."""
    hub = runtime.extras.get("pubsub")
    if not isinstance(hub, PubSub):
        hub = runtime.extras["pubsub"] = PubSub.from_env()
    return hub


def embedded_worker(runtime: Runtime) -> Worker:
    """The worker of `saas-platform dev`: every role, publishing on the runtime's hub."""
    return build_worker(runtime, name="dev", pubsub=runtime_pubsub(runtime))


async def run_embedded_worker(runtime: Runtime, stop: asyncio.Event) -> None:
    """The worker inside `saas-platform dev`: every role, in-memory streams without Redis."""
    await embedded_worker(runtime).run(stop)
