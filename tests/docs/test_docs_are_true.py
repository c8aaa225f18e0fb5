"""Docs as product: the configuration reference lists every variable the code reads, and the
README's links point at files that exist."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from router.config import RouterConfig

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("saas_platform", "subgraphs", "router", "migrations")
ENV_READ = re.compile(r"""(?:env|environ|os\.environ)\.get\(\s*["']([A-Z][A-Z0-9_]+)["']""")
ENV_GETENV = re.compile(r"""os\.getenv\(\s*["']([A-Z][A-Z0-9_]+)["']""")


def variables_read_by_the_code() -> set[str]:
    found: set[str] = set()
    for package in SOURCES:
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text()
            found.update(ENV_READ.findall(text))
            found.update(ENV_GETENV.findall(text))
    return found


def test_scanner_finds_the_core_variables() -> None:
    found = variables_read_by_the_code()
    assert {"DATABASE_URL", "REDIS_URL", "DATA_DIR"} <= found


def test_every_environment_variable_is_documented() -> None:
    documented = (ROOT / "docs" / "configuration.md").read_text()
    missing = sorted(v for v in variables_read_by_the_code() if f"`{v}`" not in documented)
    assert not missing, f"add to docs/configuration.md: {missing}"


def test_every_router_setting_is_documented() -> None:
    documented = (ROOT / "docs" / "router.md").read_text()
    missing = [
        f.name
        for f in dataclasses.fields(RouterConfig)
        if f"ROUTER_{f.name.upper()}" not in documented and f"`{f.name}`" not in documented
    ]
    assert not missing, f"document in docs/router.md: {missing}"


def test_readme_links_exist() -> None:
    readme = (ROOT / "README.md").read_text()
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme)
    assert links
    broken = [link for link in links if "://" not in link and not (ROOT / link).exists()]
    assert not broken, broken


def test_readme_gives_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme
    assert "make test" in readme
    assert "http://localhost:8000/graphql" in readme
