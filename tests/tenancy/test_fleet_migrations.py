"""Fleet migrations: one failing tenant stays at its old revision, the others move on."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from test_provisioning import CrashAfter, SimulatedCrash, assert_healthy, tenant_by_slug

from saas_platform.tenancy.fleet import list_targets, migrate_fleet
from saas_platform.tenancy.migrations import current_heads
from saas_platform.tenancy.provisioning import Provisioner, ProvisioningStep
from saas_platform.tenancy.testing import TenancyEnv
from subgraphs.kit.db import EngineOptions, create_database_engine

REVISION = '''"""{doc}"""

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = {down!r}
branch_labels = {labels!r}
depends_on = None


def upgrade() -> None:
{body}


def downgrade() -> None:
    pass
'''

WIDGETS = """    op.create_table("widgets", sa.Column("value", sa.Integer(), nullable=False))"""
# a table first, then a unique index the data may violate: a failure must undo both
UNIQUE = """    op.create_table("audit_marks", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_index("ux_widgets_value", "widgets", ["value"], unique=True)"""


def write_revision(folder: Path, revision: str, down: str | None, body: str) -> None:
    labels = ("fleettest",) if down is None else None
    source = REVISION.format(doc=revision, revision=revision, down=down, labels=labels, body=body)
    (folder / f"{revision}.py").write_text(source)


async def execute(url: str, *statements: str) -> None:
    engine = create_database_engine(url, EngineOptions(null_pool=True))
    try:
        async with engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def table_names(url: str) -> set[str]:
    engine = create_database_engine(url, EngineOptions(null_pool=True))
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_failing_tenant_is_left_at_its_revision_and_rerun_converges(
    env: TenancyEnv, tmp_path: Path
) -> None:
    provisioner = Provisioner(env.control, env.settings)
    for slug in ("alpha", "bravo", "charlie", "delta"):
        await provisioner.create_tenant(slug, slug.title())
    versions = tmp_path / "fleettest"
    versions.mkdir()
    write_revision(versions, "fleet_a", None, WIDGETS)

    first = await migrate_fleet(env.settings, concurrency=2, extra_locations=[versions])
    assert (first.count("migrated"), len(first.failed)) == (4, 0)

    targets = {t.slug: t for t in await list_targets(env.settings)}
    for slug, target in targets.items():
        values = "(1), (1)" if slug == "bravo" else "(1), (2)"
        await execute(target.url, f"INSERT INTO widgets (value) VALUES {values}")

    write_revision(versions, "fleet_b", "fleet_a", UNIQUE)
    second = await migrate_fleet(env.settings, concurrency=3, extra_locations=[versions])
    assert [r.slug for r in second.failed] == ["bravo"]
    assert second.count("migrated") == 3
    bravo = targets["bravo"].url
    assert "fleet_a" in await current_heads(bravo)
    assert "audit_marks" not in await table_names(bravo)  # no partial DDL
    for slug in ("alpha", "charlie", "delta"):
        assert "fleet_b" in await current_heads(targets[slug].url)

    await execute(bravo, "DELETE FROM widgets", "INSERT INTO widgets (value) VALUES (1)")
    third = await migrate_fleet(env.settings, extra_locations=[versions])
    assert len(third.failed) == 0, third.results
    assert (third.count("migrated"), third.count("current")) == (1, 3), third.results
    assert "fleet_b" in await current_heads(bravo)
    assert "audit_marks" in await table_names(bravo)


async def test_migrate_resumes_a_crashed_provisioning(env: TenancyEnv) -> None:
    crashing = Provisioner(env.control, env.settings, hook=CrashAfter(ProvisioningStep.MIGRATED))
    with pytest.raises(SimulatedCrash):
        await crashing.create_tenant("acme", "Acme")
    report = await migrate_fleet(env.settings)
    # resumed by the reconciler first, then found current by the tenant pass
    assert [(r.slug, r.status) for r in report.results] == [
        ("acme", "provisioned"),
        ("acme", "current"),
    ]
    tenant = await tenant_by_slug(env, "acme")
    assert tenant is not None
    await assert_healthy(env, tenant)
