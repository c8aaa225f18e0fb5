"""Operation limits and demand control: refused before any subgraph call (counted at the
subgraph), cost reported in extensions when asked."""

from __future__ import annotations

from pathlib import Path

from policystack import policy_stack

LIMITS = {"max_depth": 4, "max_aliases": 2, "max_root_fields": 3, "max_height": 5}


def code(response: object) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])  # type: ignore[attr-defined]


async def test_limits_refuse_before_any_subgraph_call(tmp_path: Path) -> None:
    async with policy_stack(tmp_path, {"limits": LIMITS}) as stack:
        cases = {
            "{ me { friends { friends { friends { id } } } } }": "MAX_DEPTH_LIMIT",
            "{ a: hello b: hello c: hello }": "MAX_ALIASES_LIMIT",
            "{ hello me { id } users { id } boom }": "MAX_ROOT_FIELDS_LIMIT",
            "{ me { id name friends { id name email } } users { id } }": "MAX_HEIGHT_LIMIT",
        }
        for query, expected in cases.items():
            response = await stack.post(query)
            assert code(response) == expected, query
            assert "data" not in response.json()
        assert stack.log == []
        ok = await stack.post("{ users(first: 1) { friends { friends { id } } } }")
        assert "errors" not in ok.json()
        assert len(stack.log) == 1


async def test_limits_follow_fragments(tmp_path: Path) -> None:
    async with policy_stack(tmp_path, {"limits": LIMITS}) as stack:
        query = "{ me { ...F } } fragment F on User { friends { friends { friends { id } } } }"
        assert code(await stack.post(query)) == "MAX_DEPTH_LIMIT"
        assert stack.log == []


async def test_cost_too_expensive_makes_no_subgraph_call(tmp_path: Path) -> None:
    cost = {"enabled": True, "max_cost": 1000}
    async with policy_stack(tmp_path, {"cost": cost}) as stack:
        query = "{ users(first: 100) { friends(first: 100) { friends(first: 100) { id } } } }"
        response = await stack.post(query)
        assert code(response) == "COST_ESTIMATED_TOO_EXPENSIVE"
        assert response.json()["errors"][0]["extensions"]["cost"]["estimated"] > 1000
        assert stack.log == []
        by_variable = await stack.post(
            "query($n: Int) { users(first: $n) { friends(first: $n) { id } } }",
            variables={"n": 100},
        )
        assert code(by_variable) == "COST_ESTIMATED_TOO_EXPENSIVE"
        assert stack.log == []
        cheap = await stack.post(
            "{ users(first: 2) { friends(first: 2) { id } } }", extensions={"cost": True}
        )
        body = cheap.json()
        assert "errors" not in body
        # users: 2 x (1 + friends: 2 x (5 + 0)) = 22
        assert body["extensions"]["cost"] == {"estimated": 22}
        assert len(stack.log) == 1


async def test_cost_measure_mode_only_reports(tmp_path: Path) -> None:
    cost = {"enabled": True, "max_cost": 10, "mode": "measure", "expose": True}
    async with policy_stack(tmp_path, {"cost": cost}) as stack:
        response = await stack.post("{ users { id } }")
        assert response.json()["extensions"]["cost"] == {"estimated": 50}  # assumedSize 50
        assert response.json()["data"]["users"]
