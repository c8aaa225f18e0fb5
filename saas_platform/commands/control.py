"""Shared by the commands that work on the control database (`tenants`, `operators`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console

from saas_platform.settings import Settings
from saas_platform.tenancy.runtime import open_control, prepare_control
from subgraphs.kit.db import Database
from subgraphs.kit.errors import DomainError

T = TypeVar("T")


def run_on_control(work: Callable[[Database, Settings], Awaitable[T]], console: Console) -> T:
    """Prepare the control database, run `work` on it, print a domain error with its code and
    exit 1."""
    settings = Settings.from_env()

    async def main() -> T:
        await prepare_control(settings)
        control = open_control(settings)
        try:
            return await work(control, settings)
        finally:
            await control.dispose()

    try:
        return asyncio.run(main())
    except DomainError as error:
        console.print(f"[red]{error.code_name}[/red]: {error}")
        raise typer.Exit(1) from error
