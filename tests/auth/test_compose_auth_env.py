"""docker-compose.yml: every subgraph container can check API keys with identity (same
introspection secret as identity's) and verify tokens with its JWKS."""

from __future__ import annotations

from pathlib import Path

import yaml

from subgraphs.registry import SUBGRAPHS

ROOT = Path(__file__).resolve().parents[2]


def test_every_subgraph_shares_identitys_introspection_secret() -> None:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    secret = services["identity"]["environment"]["AUTH_INTROSPECTION_SECRET"]
    assert secret
    for name in SUBGRAPHS:
        environment = services[name]["environment"]
        assert environment.get("AUTH_INTROSPECTION_SECRET") == secret, name
        assert environment["AUTH_JWKS_URL"] == "http://identity:8002/.well-known/jwks.json", name
    assert services["worker"]["environment"]["AUTH_INTROSPECTION_SECRET"] == secret
