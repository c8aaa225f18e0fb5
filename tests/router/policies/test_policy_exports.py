"""The public names of router.policies and router.observability are deliberate and importable;
neither package imports the domain (subgraphs/, saas_platform/)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

EXPECTED = {
    "router.policies": {
        "EdgeContext",
        "PoliciesConfig",
        "PolicyConfigError",
        "Principal",
        "Tenant",
        "TenantId",
        "load_policies",
    },
    "router.observability": {
        "Counter",
        "Gauge",
        "Histogram",
        "JsonFormatter",
        "Registry",
        "RouterTracer",
        "bind_log_context",
        "build_tracer",
        "configure_json_logs",
    },
}
ROUTER = Path(__file__).resolve().parents[3] / "router"


@pytest.mark.parametrize("module_name", sorted(EXPECTED))
def test_all_is_deliberate(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert set(module.__all__) == EXPECTED[module_name]
    for name in module.__all__:
        assert getattr(module, name) is not None


@pytest.mark.parametrize("package", ["policies", "observability"])
def test_domain_free(package: str) -> None:
    for path in (ROUTER / package).rglob("*.py"):
        text = path.read_text()
        assert "import subgraphs" not in text, path
        assert "from subgraphs" not in text, path
        assert "saas_platform" not in text, path
