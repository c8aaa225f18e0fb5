"""Public names of the router packages owned here are deliberate and importable."""

from __future__ import annotations

import importlib

import pytest

EXPECTED = {
    "router.executor": {"ExecutionContext", "OperationShape", "compile_operation", "execute_plan"},
    "router.transport": {
        "DedupClient",
        "FailureKind",
        "Headers",
        "HttpSubgraphClient",
        "HttpTimeouts",
        "PooledHttpClient",
        "SubgraphClient",
        "SubgraphFailure",
        "SubgraphRequest",
        "SubgraphResponse",
    },
}


@pytest.mark.parametrize("module_name", sorted(EXPECTED))
def test_all_is_deliberate(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert set(module.__all__) == EXPECTED[module_name]
    for name in module.__all__:
        assert getattr(module, name) is not None
