"""The `saas-platform tenants` and `migrate` commands on the embedded default."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from saas_platform.cli import root


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()


def run(cli: CliRunner, *args: str, code: int = 0) -> str:
    result = cli.invoke(root, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_tenant_lifecycle_through_the_cli(cli: CliRunner, tmp_path: Path) -> None:
    assert "acme is ACTIVE" in run(cli, "tenants", "create", "acme", "--name", "Acme Inc")
    assert "INVALID_SLUG" in run(cli, "tenants", "create", "Bad_Slug", code=1)
    assert "SLUG_TAKEN" in run(cli, "tenants", "create", "acme", code=1)
    assert "Acme Inc" in run(cli, "tenants", "list")
    assert "provisioning_step: ACTIVATED" in run(cli, "tenants", "show", "acme")
    assert "acme is SUSPENDED" in run(cli, "tenants", "suspend", "acme")
    assert "acme is ACTIVE" in run(cli, "tenants", "resume", "acme")
    backup = tmp_path / "acme.backup"
    assert "written" in run(cli, "tenants", "backup", "acme", "--out", str(backup))
    assert "restored" in run(cli, "tenants", "restore", "acme", "--from", str(backup))
    assert "0 failed" in run(cli, "migrate", "--concurrency", "1")
    assert "acme is DELETED" in run(cli, "tenants", "delete", "acme")
    assert "RETENTION_NOT_ELAPSED" in run(cli, "tenants", "purge", "acme", code=1)
    assert "purged acme" in run(cli, "tenants", "purge", "acme", "--force")
    assert "TENANT_NOT_FOUND" in run(cli, "tenants", "show", "acme", code=1)
