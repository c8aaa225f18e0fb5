"""Fleet migrations: the control database, then every tenant database, N at a time.

Tenants migrate in a pool of N worker processes (alembic's module-level `context`/`op`
proxies rule out concurrent upgrades inside one process). Each tenant upgrades to `heads` in one
transaction (transactional DDL on PostgreSQL and, with
the kit's SQLite setup, on SQLite too), so a failing tenant stays at its old revision. Failures
are collected, the others continue, and a re-run converges.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from saas_platform.settings import Settings
from saas_platform.tenancy.migrations import (
    current_heads,
    script_heads,
    tenant_config,
    upgrade_tenant,
)
from saas_platform.tenancy.provisioning import Provisioner
from saas_platform.tenancy.runtime import open_control, prepare_control
from saas_platform.tenancy.servers import tenant_database_url
from subgraphs.tenants.models import DatabaseServer, TenantStatus
from subgraphs.tenants.repository import DatabaseServerRepository, TenantRepository

MIGRATABLE = (TenantStatus.ACTIVE.value, TenantStatus.SUSPENDED.value)
STUCK = (TenantStatus.PROVISIONING.value, TenantStatus.FAILED.value)


@dataclass(frozen=True, slots=True)
class TenantTarget:
    tenant_id: uuid.UUID
    slug: str
    url: str


@dataclass(frozen=True, slots=True)
class TenantMigration:
    slug: str
    status: str  # "migrated" | "current" | "provisioned" | "failed"
    before: frozenset[str]
    after: frozenset[str]
    seconds: float
    error: str | None = None


@dataclass(slots=True)
class FleetReport:
    heads: frozenset[str]
    results: list[TenantMigration] = field(default_factory=list)

    @property
    def failed(self) -> list[TenantMigration]:
        return [r for r in self.results if r.status == "failed"]

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)


async def list_targets(settings: Settings, slugs: Sequence[str] = ()) -> list[TenantTarget]:
    control = open_control(settings)
    try:
        async with control.session() as session:
            tenants = await TenantRepository(session).list_with_status(MIGRATABLE)
            servers: dict[uuid.UUID, DatabaseServer] = {
                s.id: s for s in await DatabaseServerRepository(session).list_all()
            }
    finally:
        await control.dispose()
    wanted = set(slugs)
    return [
        TenantTarget(
            t.id, t.slug, tenant_database_url(servers[t.database_server_id].url, t.database_name)
        )
        for t in tenants
        if not wanted or t.slug in wanted
    ]


async def resume_provisioning(
    settings: Settings, slugs: Sequence[str] = (), extra_locations: Sequence[Path] = ()
) -> list[TenantMigration]:
    """Reconcile: finish provisioning tenants a crash left PROVISIONING or FAILED."""
    control = open_control(settings)
    results: list[TenantMigration] = []
    try:
        async with control.session() as session:
            stuck = await TenantRepository(session).list_with_status(STUCK)
        provisioner = Provisioner(control, settings, extra_locations=extra_locations)
        for tenant in stuck:
            if slugs and tenant.slug not in slugs:
                continue
            started = time.perf_counter()
            try:
                await provisioner.provision(tenant.id)
            except Exception as exc:
                error = f"provisioning: {type(exc).__name__}: {exc}"[:2000]
                elapsed = time.perf_counter() - started
                results.append(
                    TenantMigration(tenant.slug, "failed", frozenset(), frozenset(), elapsed, error)
                )
                continue
            elapsed = time.perf_counter() - started
            results.append(
                TenantMigration(tenant.slug, "provisioned", frozenset(), frozenset(), elapsed)
            )
    finally:
        await control.dispose()
    return results


async def migrate_tenant(
    target: TenantTarget, extra_locations: Sequence[Path] = ()
) -> TenantMigration:
    started = time.perf_counter()
    before: frozenset[str] = frozenset()
    try:
        before = frozenset(await current_heads(target.url))
        await upgrade_tenant(target.url, extra_locations)
        after = frozenset(await current_heads(target.url))
    except Exception as exc:
        return TenantMigration(
            target.slug, "failed", before, before, time.perf_counter() - started,
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )  # fmt: skip
    status = "current" if after == before else "migrated"
    return TenantMigration(target.slug, status, before, after, time.perf_counter() - started)


def _migrate_in_worker(target: TenantTarget, extra_locations: tuple[str, ...]) -> TenantMigration:
    """Runs in a worker process (alembic keeps global state, so one upgrade per process)."""
    return asyncio.run(migrate_tenant(target, [Path(p) for p in extra_locations]))


async def migrate_fleet(
    settings: Settings,
    *,
    concurrency: int | None = None,
    extra_locations: Sequence[Path] = (),
    slugs: Sequence[str] = (),
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[TenantMigration], None] | None = None,
) -> FleetReport:
    await prepare_control(settings)
    report = FleetReport(heads=frozenset(script_heads(tenant_config(extra_locations))))
    for result in await resume_provisioning(settings, slugs, extra_locations):
        report.results.append(result)
        if on_result is not None:
            on_result(result)
    targets = await list_targets(settings, slugs)
    if on_start is not None:
        on_start(len(targets))
    if not targets:
        return report
    workers = max(1, min(concurrency or settings.migrate_concurrency, len(targets)))
    extra = tuple(str(p) for p in extra_locations)
    loop = asyncio.get_running_loop()
    # forkserver: workers fork from a clean server process that imported this module once
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])

    async def one(pool: ProcessPoolExecutor, target: TenantTarget) -> None:
        try:
            result = await loop.run_in_executor(pool, _migrate_in_worker, target, extra)
        except Exception as exc:  # the worker itself died (killed, out of memory)
            result = TenantMigration(
                target.slug, "failed", frozenset(), frozenset(), 0.0, f"worker: {exc!r}"
            )
        report.results.append(result)
        if on_result is not None:
            on_result(result)

    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        await asyncio.gather(*(one(pool, t) for t in targets))
    await _drop_stale_templates(settings, extra_locations)
    report.results.sort(key=lambda r: r.slug)
    return report


async def _drop_stale_templates(settings: Settings, extra_locations: Sequence[Path]) -> None:
    control = open_control(settings)
    try:
        await Provisioner(control, settings, extra_locations=extra_locations).drop_stale_templates()
    finally:
        await control.dispose()
