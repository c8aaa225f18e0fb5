"""The subgraph registry hands the composition command each subgraph's URL and SDL."""

from __future__ import annotations

from subgraphs.kit.federation import FEDERATION_VERSION
from subgraphs.registry import PORTS, SUBGRAPHS, subgraph_sdls


def test_tenants_is_registered_on_its_port() -> None:
    assert PORTS["tenants"] == 8001
    assert SUBGRAPHS["tenants"].port == 8001


def test_sdl_declares_both_tenant_keys() -> None:
    url, sdl = subgraph_sdls()["tenants"]
    assert url == "http://127.0.0.1:8001/graphql"
    assert f"federation/v{FEDERATION_VERSION}" in sdl
    assert 'type Tenant @key(fields: "id") @key(fields: "slug")' in sdl
    assert "type UserError @shareable" in sdl
