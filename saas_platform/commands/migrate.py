"""`saas-platform migrate`: the control database, then every tenant database."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from saas_platform.settings import Settings
from saas_platform.tenancy.fleet import FleetReport, TenantMigration, migrate_fleet

console = Console()


def register(root: typer.Typer) -> None:
    root.command("migrate")(migrate)


def migrate(
    concurrency: Annotated[
        int | None, typer.Option(help="Tenant databases migrated at once.")
    ] = None,
    tenant: Annotated[list[str] | None, typer.Option(help="Only these slugs.")] = None,
    extra_versions: Annotated[
        list[Path] | None, typer.Option(help="Extra tenant version folder (plugins, tests).")
    ] = None,
) -> None:
    """Upgrade the control database and every tenant database to the latest revisions."""
    settings = Settings.from_env()
    progress = Progress(
        TextColumn("[bold]tenant databases"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}"),
        TimeElapsedColumn(),
        console=console,
    )
    task = progress.add_task("migrate", total=None, last="")

    def on_start(total: int) -> None:
        progress.update(task, total=total)

    def on_result(result: TenantMigration) -> None:
        mark = "[red]failed[/red]" if result.status == "failed" else result.status
        progress.update(task, advance=1, last=f"{result.slug}: {mark}")

    with progress:
        report = asyncio.run(
            migrate_fleet(
                settings,
                concurrency=concurrency,
                extra_locations=extra_versions or (),
                slugs=tenant or (),
                on_start=on_start,
                on_result=on_result,
            )
        )
    _summary(report)
    if report.failed:
        raise typer.Exit(1)


def _summary(report: FleetReport) -> None:
    console.print(
        f"control database at head; tenants: {report.count('migrated')} migrated, "
        f"{report.count('current')} already current, {report.count('provisioned')} provisioned "
        f"(resumed), {len(report.failed)} failed"
    )
    if report.failed:
        table = Table("tenant", "left at", "error", title="Failed (left at their old revision)")
        for result in report.failed:
            table.add_row(result.slug, ",".join(sorted(result.before)), result.error or "")
        console.print(table)
