"""`saas-platform tenants ...`: create, inspect, suspend, delete, purge, back up tenants."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from saas_platform.commands.control import run_on_control
from saas_platform.settings import Settings
from saas_platform.tenancy.backup import BackupError, backup_tenant, restore_tenant
from saas_platform.tenancy.lifecycle import purge_tenants
from saas_platform.tenancy.provisioning import Provisioner
from subgraphs.kit.db import Database
from subgraphs.tenants import service
from subgraphs.tenants.errors import TenantNotFoundError
from subgraphs.tenants.models import Tenant
from subgraphs.tenants.repository import CustomDomainRepository, TenantRepository

app = typer.Typer(no_args_is_help=True, help="Manage tenants (control plane).")
console = Console()
T = TypeVar("T")


def _run(work: Callable[[Database, Settings], Awaitable[T]]) -> T:
    """Run `work` on the control database; domain and backup errors printed with a code."""
    try:
        return run_on_control(work, console)
    except BackupError as error:
        console.print(f"[red]BACKUP_FAILED[/red]: {error}")
        raise typer.Exit(1) from error


async def _by_slug(session: AsyncSession, slug: str) -> Tenant:
    tenant = await TenantRepository(session).find_by_slug(slug)
    if tenant is None:
        raise TenantNotFoundError(tenant=slug)
    return tenant


def _table(tenants: list[Tenant]) -> Table:
    table = Table("slug", "name", "status", "plan", "database", "created", title="Tenants")
    for t in tenants:
        status = t.status if not t.failure_reason else f"{t.status} ({t.failure_reason[:40]})"
        table.add_row(t.slug, t.name, status, t.plan, t.database_name, f"{t.created_at:%Y-%m-%d}")
    return table


@app.command()
def create(
    slug: str,
    name: Annotated[str | None, typer.Option(help="Display name (default: the slug).")] = None,
    plan: Annotated[str, typer.Option(help="free, team, business or enterprise.")] = "free",
    server: Annotated[str | None, typer.Option(help="Placement server name.")] = None,
) -> None:
    """Create a tenant and provision its database (re-running resumes a failed one)."""

    async def work(control: Database, settings: Settings) -> Tenant:
        provisioner = Provisioner(control, settings)
        async with control.session() as session:
            existing = await TenantRepository(session).find_by_slug(slug)
        if existing is not None and existing.status in {"PROVISIONING", "FAILED"}:
            return await provisioner.provision(existing.id)
        service.validate_slug(slug)
        service.validate_plan(plan)
        return await provisioner.create_tenant(
            slug, service.validate_name(name or slug), plan, server
        )

    with console.status(f"Provisioning {slug}..."):
        tenant = _run(work)
    console.print(f"[green]{tenant.slug}[/green] is {tenant.status} (id {tenant.id})")


@app.command("list")
def list_(
    status: Annotated[list[str] | None, typer.Option(help="Only these statuses.")] = None,
) -> None:
    """List tenants."""

    async def work(control: Database, _: Settings) -> list[Tenant]:
        async with control.session() as session:
            statuses = [s.upper() for s in status or []]
            page = await service.list_tenants(
                session, after_slug=None, size=10_000, statuses=statuses
            )
            return list(page.tenants)

    console.print(_table(_run(work)))


@app.command()
def show(slug: str) -> None:
    """Show one tenant, its placement and domains."""

    async def work(control: Database, _: Settings) -> None:
        async with control.session() as session:
            tenant = await _by_slug(session, slug)
            domains = await CustomDomainRepository(session).list_for_tenants([tenant.id])
        console.print(_table([tenant]))
        for field in ("id", "provisioning_step", "failure_reason", "deleted_at"):
            console.print(f"{field}: {getattr(tenant, field)}")
        for domain in domains:
            console.print(f"domain {domain.host} {domain.state} token={domain.verification_token}")

    _run(work)


def _transition(slug: str, action: Callable[[AsyncSession, uuid.UUID], Awaitable[Tenant]]) -> None:
    async def work(control: Database, _: Settings) -> Tenant:
        async with control.transaction() as session:
            return await action(session, (await _by_slug(session, slug)).id)

    tenant = _run(work)
    console.print(f"{tenant.slug} is {tenant.status}")


@app.command()
def suspend(slug: str) -> None:
    """Suspend a tenant (its subgraphs refuse requests within seconds)."""
    _transition(slug, service.suspend_tenant)


@app.command()
def resume(slug: str) -> None:
    """Resume a suspended tenant."""
    _transition(slug, service.resume_tenant)


@app.command()
def delete(slug: str) -> None:
    """Soft-delete a tenant; `purge` drops its data after TENANT_RETENTION_DAYS."""
    _transition(slug, service.delete_tenant)


@app.command()
def purge(
    slug: Annotated[str | None, typer.Argument(help="One tenant (default: every due one).")] = None,
    force: Annotated[bool, typer.Option(help="Ignore the retention window.")] = False,
) -> None:
    """Drop the databases of deleted tenants past the retention window."""

    async def work(control: Database, settings: Settings) -> None:
        purged = await purge_tenants(control, settings, slug=slug, force=force)
        for item in purged:
            console.print(f"purged {item.slug} (database dropped: {item.database_dropped})")
        if not purged:
            console.print("nothing to purge")

    _run(work)


@app.command()
def backup(slug: str, out: Annotated[Path, typer.Option("--out", help="Backup file.")]) -> None:
    """Back up one tenant database (pg_dump -Fc, or the SQLite backup API)."""

    async def work(control: Database, _: Settings) -> Path:
        return await backup_tenant(control, slug, out)

    with console.status(f"Backing up {slug}..."):
        path = _run(work)
    console.print(f"backup of {slug} written to {path}")


@app.command()
def restore(
    slug: str, source: Annotated[Path, typer.Option("--from", help="Backup file.")]
) -> None:
    """Replace one tenant's data with a backup of that same tenant."""

    async def work(control: Database, settings: Settings) -> None:
        await restore_tenant(control, settings, slug, source)

    with console.status(f"Restoring {slug}..."):
        _run(work)
    console.print(f"{slug} restored from {source}")
