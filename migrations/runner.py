"""Shared alembic env logic: run on a connection handed in by the caller, or on a URL.

Callers (saas_platform.tenancy.migrations) open an async connection and pass its sync facade
in `config.attributes["connection"]` through `connection.run_sync`. From the plain `alembic`
command line, `-x url=...` names the database instead.
"""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def _configure_and_run(connection: Connection, target_metadata: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    # one transaction for the whole upgrade: a failing tenant stays at its old revision
    with context.begin_transaction():
        context.run_migrations()


async def _run_on_url(url: str, target_metadata: Any) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_configure_and_run, target_metadata)
            await connection.commit()
    finally:
        await engine.dispose()


def run(target_metadata: Any) -> None:
    if context.is_offline_mode():
        context.configure(url=context.config.get_main_option("sqlalchemy.url"))
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection, target_metadata)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("pass the database with: alembic -x url=<sqlalchemy url> ...")
    asyncio.run(_run_on_url(url, target_metadata))
