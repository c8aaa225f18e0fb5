"""Run the alembic trees programmatically, on SQLite and PostgreSQL alike.

`upgrade_control(url)` upgrades the control database; `upgrade_tenant(url)` upgrades a tenant
database to every branch head (`heads`). Extra version locations (a test-only branch, a plugin)
can be added per call.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Sequence
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

import migrations
from subgraphs.kit.db import EngineOptions, create_database_engine

MIGRATIONS_DIR = Path(next(iter(migrations.__path__))).resolve()
CONTROL_DIR = MIGRATIONS_DIR / "control"
TENANT_DIR = MIGRATIONS_DIR / "tenant"
_MIGRATION_ENGINE = EngineOptions(null_pool=True, command_timeout=300.0)


def _config(script_dir: Path, version_locations: Sequence[Path]) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_dir))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(str(p) for p in version_locations))
    return config


def control_config() -> Config:
    return _config(CONTROL_DIR, [CONTROL_DIR / "versions"])


def tenant_branch_dirs() -> list[Path]:
    """One folder per subgraph under migrations/tenant/versions/ (core first)."""
    versions = TENANT_DIR / "versions"
    found = [p for p in versions.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))]
    return sorted(found, key=lambda p: (p.name != "core", p.name))


def tenant_config(extra_locations: Sequence[Path] = ()) -> Config:
    return _config(TENANT_DIR, [*tenant_branch_dirs(), *extra_locations])


def script_heads(config: Config) -> set[str]:
    return set(ScriptDirectory.from_config(config).get_heads())


def _upgrade(connection: Connection, config: Config) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, "heads")


def _current(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


async def upgrade_on_engine(engine: AsyncEngine, config: Config) -> None:
    async with engine.connect() as connection:
        await connection.run_sync(_upgrade, config)
        await connection.commit()


async def current_heads_on_engine(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _alembic_lock() -> asyncio.Lock:
    """alembic's `context` and `op` are module-level proxies: two upgrades interleaving in one
    process would share them. In-process upgrades run one at a time; the fleet runner gets
    its parallelism from worker processes."""
    loop = asyncio.get_running_loop()
    lock = _LOCKS.get(loop)
    if lock is None:
        lock = _LOCKS[loop] = asyncio.Lock()
    return lock


async def upgrade_url(url: str, config: Config) -> None:
    async with _alembic_lock():
        engine = create_database_engine(url, _MIGRATION_ENGINE)
        try:
            await upgrade_on_engine(engine, config)
        finally:
            await engine.dispose()


async def current_heads(url: str) -> set[str]:
    engine = create_database_engine(url, _MIGRATION_ENGINE)
    try:
        return await current_heads_on_engine(engine)
    finally:
        await engine.dispose()


async def upgrade_control(url: str) -> None:
    await upgrade_url(url, control_config())


async def upgrade_tenant(url: str, extra_locations: Sequence[Path] = ()) -> None:
    await upgrade_url(url, tenant_config(extra_locations))


def _as_tuple(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def ancestors(script: ScriptDirectory, revisions: set[str]) -> set[str]:
    """Every revision applied when `revisions` are, following down-revisions and depends_on."""
    seen: set[str] = set()
    stack = list(revisions)
    while stack:
        revision = script.get_revision(stack.pop())
        if revision is None or revision.revision in seen:
            continue
        seen.add(revision.revision)
        stack.extend(_as_tuple(revision.down_revision))
        stack.extend(_as_tuple(revision.dependencies))
    return seen


async def pending_revisions(url: str, extra_locations: Sequence[Path] = ()) -> set[str]:
    """Heads not yet applied to the database (empty: it is at every head).

    A branch head that another branch `depends_on` leaves alembic_version once the dependant is
    applied, so comparing alembic_version with the script heads is not enough.
    """
    script = ScriptDirectory.from_config(tenant_config(extra_locations))
    return set(script.get_heads()) - ancestors(script, await current_heads(url))
