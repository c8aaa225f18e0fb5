"""@authenticated, @requiresScopes and @policy: denied fields are null with an error, never
sent to the subgraph; the rest of the operation is served."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from policystack import policy_stack

TENANTS = {"enabled": True, "base_domain": "example.test"}
HOST = {"host": "acme.example.test"}


def grant_auditor(principal: Any, policies: frozenset[str]) -> frozenset[str]:
    """A policy evaluator for the test (configured by dotted path)."""
    if principal is not None and "audit" in principal.scopes:
        return frozenset({"auditor"})
    return frozenset()


def unauthorized(body: dict[str, Any]) -> list[list[Any]]:
    return [
        e["path"]
        for e in body.get("errors", [])
        if e["extensions"]["code"] == "UNAUTHORIZED_FIELD_OR_TYPE"
    ]


async def test_anonymous_caller_gets_nulls_and_errors(tmp_path: Path) -> None:
    async with policy_stack(tmp_path, {"tenant": TENANTS, "jwt": {"enabled": True}}) as stack:
        response = await stack.post(
            "{ hello me { id } secret users(first: 2) { id email } }", headers=HOST
        )
        body = response.json()
        assert body["data"] == {
            "hello": "world",
            "me": None,
            "secret": None,
            "users": [{"id": "1", "email": None}, {"id": "2", "email": None}],
        }
        assert sorted(unauthorized(body)) == [
            ["me"],
            ["secret"],
            ["users", 0, "email"],
            ["users", 1, "email"],
        ]
        sent = stack.log[-1]["body"]["query"]
        assert "me" not in sent.split()
        assert "secret" not in sent
        assert "email" not in sent


async def test_scopes_and_policies(tmp_path: Path) -> None:
    policies = {
        "tenant": TENANTS,
        "jwt": {"enabled": True},
        "authz": {"policy_evaluator": "test_authz:grant_auditor"},
    }
    async with policy_stack(tmp_path, policies) as stack:
        reader = stack.keys.token(scope="users:read")
        response = await stack.post(
            "{ me { email } secret audit }", headers={**stack.auth(reader), **HOST}
        )
        body = response.json()
        assert body["data"] == {"me": {"email": "u1@x"}, "secret": None, "audit": None}
        assert sorted(unauthorized(body)) == [["audit"], ["secret"]]
        ops = stack.keys.token(scope="root ops audit")
        response = await stack.post("{ secret audit }", headers={**stack.auth(ops), **HOST})
        assert response.json() == {"data": {"secret": "s3cret", "audit": "audited"}}
        half = stack.keys.token(scope="root")  # one scope of the AND group is not enough
        response = await stack.post("{ secret }", headers={**stack.auth(half), **HOST})
        assert response.json()["data"] == {"secret": None}


async def test_everything_denied_makes_no_subgraph_call(tmp_path: Path) -> None:
    async with policy_stack(tmp_path, {"tenant": TENANTS, "jwt": {"enabled": True}}) as stack:
        response = await stack.post(
            "query Q($x: Int) { secret audit }", headers=HOST, variables={"x": 1}
        )
        body = response.json()
        assert body["data"] == {"secret": None, "audit": None}
        assert sorted(unauthorized(body)) == [["audit"], ["secret"]]
        assert stack.log == []


async def test_fragments_and_unused_variables(tmp_path: Path) -> None:
    async with policy_stack(tmp_path, {"tenant": TENANTS, "jwt": {"enabled": True}}) as stack:
        query = (
            "query Q($n: Int) { hello users(first: $n) { ...U } me { ...U } } "
            "fragment U on User { id email }"
        )
        response = await stack.post(query, headers=HOST, variables={"n": 1})
        body = response.json()
        assert body["data"] == {"hello": "world", "users": [{"id": "1", "email": None}], "me": None}
        assert sorted(unauthorized(body)) == [["me"], ["users", 0, "email"]]


async def test_denied_non_null_fields_null_the_nearest_nullable_parent(tmp_path: Path) -> None:
    """GraphQL spec "Handling Field Errors": a non-null position that errors makes its parent
    null, up to the first nullable one; the error path is the denied field's own."""
    async with policy_stack(tmp_path, {"tenant": TENANTS, "jwt": {"enabled": True}}) as stack:
        # User.ssn: String! in [User] (nullable items): each item is null
        body = (await stack.post("{ hello users(first: 2) { id ssn } }", headers=HOST)).json()
        assert body["data"] == {"hello": "world", "users": [None, None]}
        assert sorted(unauthorized(body)) == [["users", 0, "ssn"], ["users", 1, "ssn"]]

        # [User!] (non-null items, nullable list): the list is null
        body = (await stack.post("{ hello members { id ssn } }", headers=HOST)).json()
        assert body["data"] == {"hello": "world", "members": None}
        assert sorted(unauthorized(body)) == [["members", 0, "ssn"], ["members", 1, "ssn"]]

        # Owner.pin: String! under Account.owner: Owner! under Query.account: Account
        body = (
            await stack.post("{ hello account { id owner { name pin } } }", headers=HOST)
        ).json()
        assert body["data"] == {"hello": "world", "account": None}
        assert unauthorized(body) == [["account", "owner", "pin"]]

        # a non-null root field: data itself is null
        body = (await stack.post("{ hello strict }", headers=HOST)).json()
        assert body["data"] is None
        assert unauthorized(body) == [["strict"]]
        alone = (await stack.post("{ strict }", headers=HOST)).json()  # nothing left to ask
        assert alone["data"] is None
        assert unauthorized(alone) == [["strict"]]

        # nullable denied fields next to them are unchanged: null in place
        body = (await stack.post("{ me { id } users(first: 1) { id email } }", headers=HOST)).json()
        assert body["data"] == {"users": [{"id": "1", "email": None}], "me": None}

        # with the scope, the same operations are served in full
        token = stack.keys.token(tid="acme", scope="pii")
        auth = {**stack.auth(token), **HOST}
        body = (
            await stack.post("{ members { ssn } account { owner { pin } } strict }", headers=auth)
        ).json()
        assert body == {
            "data": {
                "members": [{"ssn": "ssn-1"}, {"ssn": "ssn-2"}],
                "account": {"owner": {"pin": "1234"}},
                "strict": "strict",
            }
        }
