"""A provisioner process killed with SIGKILL after each step; a re-run converges."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest
from test_provisioning import assert_healthy, tenant_by_slug

from saas_platform.tenancy.provisioning import Provisioner, ProvisioningStep
from saas_platform.tenancy.testing import TenancyEnv

CHILD = """
import asyncio, os, signal, sys
from saas_platform.settings import Settings
from saas_platform.tenancy.provisioning import Provisioner, ProvisioningStep
from saas_platform.tenancy.runtime import open_control

STEP = ProvisioningStep(sys.argv[1])

async def hook(tenant_id, step):
    if step == STEP:
        os.kill(os.getpid(), signal.SIGKILL)

async def main():
    settings = Settings.from_env()
    await Provisioner(open_control(settings), settings, hook=hook).create_tenant("acme", "Acme")

asyncio.run(main())
"""


@pytest.mark.slow
@pytest.mark.parametrize("step", [s for s in ProvisioningStep if s != ProvisioningStep.ACTIVATED])
async def test_kill_9_after_each_step_then_rerun_converges(
    env: TenancyEnv, step: ProvisioningStep
) -> None:
    settings = env.settings
    child_env = {
        **os.environ,
        "DATA_DIR": str(settings.data_dir),
        "TENANT_DB_PREFIX": settings.tenant_db_prefix,
    }
    if settings.database_url:
        child_env["DATABASE_URL"] = settings.database_url
    else:
        child_env.pop("DATABASE_URL", None)
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD, step.value, env=child_env
    )
    assert await asyncio.wait_for(child.wait(), 60) == -signal.SIGKILL
    killed = await tenant_by_slug(env, "acme")
    assert killed is not None
    assert killed.provisioning_step == step.value
    tenant = await Provisioner(env.control, env.settings).provision(killed.id)
    await assert_healthy(env, tenant)
