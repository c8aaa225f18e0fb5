"""API keys and service accounts: checksum before any query, scopes, revocation, tenancy."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from subgraphs.kit.auth.api_keys import generate_api_key
from tests.subgraphs.identity.harness import ME, Harness

CREATE = """mutation($name: String!, $scopes: [String!]!, $sa: ID) {
  createApiKey(name: $name, scopes: $scopes, serviceAccountId: $sa) {
    secret apiKey { id prefix scopes lastUsedAt revokedAt } userErrors { code message } } }"""


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


async def test_api_key_authenticates_with_its_scopes(harness: Harness) -> None:
    tenant = await harness.owned_tenant()
    body = await harness.gql(
        CREATE, {"name": "ci", "scopes": ["users:read"]}, tenant=tenant.id,
        token=tenant.owner_token,
    )  # fmt: skip
    created = body["data"]["createApiKey"]
    secret = created["secret"]
    assert secret.startswith("sk_live_")
    assert created["apiKey"]["prefix"] == secret[:12]
    me = await harness.gql(ME, tenant=tenant.id, token=secret)
    assert me["data"]["me"]["id"] == tenant.owner_id
    users = await harness.gql("{ users { edges { node { id } } } }", tenant=tenant.id,
                              token=secret)  # fmt: skip
    assert len(users["data"]["users"]["edges"]) == 1
    # the key cannot do what its scopes do not allow, even though its owner could
    audit = await harness.gql("{ auditLog { edges { node { action } } } }", tenant=tenant.id,
                              token=secret)  # fmt: skip
    assert codes(audit) == ["FORBIDDEN"]
    listed = await harness.gql(
        "{ apiKeys { edges { node { id lastUsedAt } } } }", tenant=tenant.id,
        token=tenant.owner_token,
    )  # fmt: skip
    assert listed["data"]["apiKeys"]["edges"][0]["node"]["lastUsedAt"] is not None
    revoke = await harness.gql(
        "mutation($id: ID!) { revokeApiKey(id: $id) { apiKey { revokedAt } } }",
        {"id": created["apiKey"]["id"]}, tenant=tenant.id, token=tenant.owner_token,
    )  # fmt: skip
    assert revoke["data"]["revokeApiKey"]["apiKey"]["revokedAt"] is not None
    assert codes(await harness.gql(ME, tenant=tenant.id, token=secret)) == ["UNAUTHENTICATED"]


async def test_keys_never_escalate_and_stay_in_their_tenant(harness: Harness) -> None:
    tenant, other = await harness.owned_tenant(), await harness.owned_tenant()
    member = await harness.add_user(tenant, "m@example.test", "member")
    denied = await harness.gql(
        CREATE, {"name": "x", "scopes": ["users:read"]}, tenant=tenant.id,
        token=member["accessToken"],
    )  # fmt: skip
    assert codes(denied) == ["FORBIDDEN"]
    unknown = await harness.gql(
        CREATE, {"name": "x", "scopes": ["root:all"]}, tenant=tenant.id, token=tenant.owner_token
    )
    assert unknown["data"]["createApiKey"]["userErrors"][0]["code"] == "INVALID_INPUT"
    secret = (
        await harness.gql(
            CREATE, {"name": "x", "scopes": ["users:read"]}, tenant=tenant.id,
            token=tenant.owner_token,
        )
    )["data"]["createApiKey"]["secret"]  # fmt: skip
    # tenant A's key on tenant B: B's database does not know it
    assert codes(await harness.gql(ME, tenant=other.id, token=secret)) == ["UNAUTHENTICATED"]
    # and without a tenant, a key means nothing
    assert codes(await harness.gql(ME, token=secret)) == ["UNAUTHENTICATED"]


async def test_service_account_keys(harness: Harness) -> None:
    tenant = await harness.owned_tenant()
    account = await harness.gql(
        'mutation { createServiceAccount(name: "billing-sync", role: "agent") '
        "{ user { id kind role } } }",
        tenant=tenant.id,
        token=tenant.owner_token,
    )
    service = account["data"]["createServiceAccount"]["user"]
    assert service["kind"] == "SERVICE"
    body = await harness.gql(
        CREATE, {"name": "sync", "scopes": ["tickets:write", "users:read"], "sa": service["id"]},
        tenant=tenant.id, token=tenant.owner_token,
    )  # fmt: skip
    secret = body["data"]["createApiKey"]["secret"]
    me = await harness.gql(ME, tenant=tenant.id, token=secret)
    assert me["data"]["me"] == {"id": service["id"], "email": None, "role": "agent"}
    # a service account cannot log in with a password
    login = await harness.gql(
        'mutation { login(email: "billing-sync", password: "x") { userErrors { code } } }',
        tenant=tenant.id,
    )
    assert login["data"]["login"]["userErrors"] == [{"code": "INVALID_CREDENTIALS"}]


async def test_malformed_keys_cost_zero_queries(harness: Harness) -> None:
    tenant = await harness.owned_tenant()
    good = generate_api_key()
    malformed = [
        good[:-1] + ("A" if good[-1] != "A" else "B"),
        good.replace("sk_live_", "sk_live_x"),
        "sk_live_" + "0" * 43 + "_000000",
        "sk_live_short_abcdef",
        "sk_" + "x" * 5000,
        "sk_live_" + good[8:-7] + "!" + good[-6:],
    ]
    # warm everything up: the tenant scope cache, the tenant's engine
    await harness.gql(ME, tenant=tenant.id, token=tenant.owner_token)
    with counted_queries() as statements:
        for key in malformed:
            body = await harness.gql(ME, tenant=tenant.id, token=key)
            assert codes(body) == ["UNAUTHENTICATED"]
    assert statements == []
    with counted_queries() as statements:
        body = await harness.gql(ME, tenant=tenant.id, token=good)  # well formed, unknown
        assert codes(body) == ["UNAUTHENTICATED"]
    assert len(statements) >= 1
