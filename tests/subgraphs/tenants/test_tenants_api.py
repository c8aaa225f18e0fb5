"""The tenants subgraph through real HTTP: happy paths and every bad input with its code."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from saas_platform.tenancy.testing import DEAD_SERVER_URL, TenancyEnv
from subgraphs.kit.errors import TenantUnavailableError
from subgraphs.kit.ids import TenantId
from subgraphs.kit.runtime import Runtime
from subgraphs.tenants.models import DatabaseServer, Tenant
from tests.subgraphs.tenants.platform import GraphQL

TENANT_FIELDS = "id slug name status plan domains { host state verificationToken }"
CREATE = f"""mutation($slug: String!, $name: String!, $plan: String! = "free") {{
  createTenant(input: {{slug: $slug, name: $name, plan: $plan}}) {{
    tenant {{ {TENANT_FIELDS} }} userErrors {{ field message code }}
  }}
}}"""
UPDATE = """mutation($id: ID!, $name: String, $plan: String) {
  updateTenant(input: {id: $id, name: $name, plan: $plan}) {
    tenant { id name plan } userErrors { field message code }
  }
}"""
TRANSITION = """mutation($id: ID!) {{
  {name}(input: {{id: $id}}) {{ tenant {{ id status }} userErrors {{ field message code }} }}
}}"""
ADD_DOMAIN = """mutation($tenantId: ID!, $host: String!) {
  addCustomDomain(input: {tenantId: $tenantId, host: $host}) {
    domain { host state verificationToken } userErrors { field message code }
  }
}"""
VERIFY_DOMAIN = """mutation($host: String!, $token: String!) {
  verifyCustomDomain(input: {host: $host, token: $token}) {
    domain { host state } userErrors { field message code }
  }
}"""


async def create(gql: GraphQL, slug: str, name: str = "Acme", **extra: Any) -> dict[str, Any]:
    result = await gql(CREATE, slug=slug, name=name, **extra)
    payload: dict[str, Any] = result["data"]["createTenant"]
    return payload


async def created(gql: GraphQL, slug: str) -> dict[str, Any]:
    payload = await create(gql, slug)
    assert payload["userErrors"] == []
    tenant: dict[str, Any] = payload["tenant"]
    return tenant


async def transition(gql: GraphQL, name: str, tenant_id: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await gql(TRANSITION.format(name=name), id=tenant_id))["data"][name]
    return payload


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


async def count_tenants(env: TenancyEnv) -> int:
    async with env.control.session() as session:
        return int((await session.execute(select(func.count()).select_from(Tenant))).scalar_one())


async def test_create_tenant_then_read_it_back_every_way(gql: GraphQL) -> None:
    tenant = await created(gql, "acme")
    assert (tenant["slug"], tenant["status"], tenant["plan"]) == ("acme", "ACTIVE", "free")
    by_id = await gql("query($id: ID!) { tenant(id: $id) { slug } }", id=tenant["id"])
    assert by_id["data"]["tenant"] == {"slug": "acme"}
    by_slug = await gql('{ tenantBySlug(slug: "acme") { id } }')
    assert by_slug["data"]["tenantBySlug"] == {"id": tenant["id"]}
    by_host = await gql('{ tenantByDomain(host: "acme.localhost") { slug } }')
    assert by_host["data"]["tenantByDomain"] == {"slug": "acme"}
    entities = await gql(
        """query($reps: [_Any!]!) { _entities(representations: $reps) {
             ... on Tenant { slug status } } }""",
        reps=[
            {"__typename": "Tenant", "id": tenant["id"]},
            {"__typename": "Tenant", "slug": "acme"},
            {"__typename": "Tenant", "slug": "nobody"},
        ],
    )
    assert entities["data"]["_entities"] == [
        {"slug": "acme", "status": "ACTIVE"},
        {"slug": "acme", "status": "ACTIVE"},
        None,
    ]


@pytest.mark.parametrize(
    ("slug", "name", "plan", "code", "field"),
    [
        ("ab", "Acme", "free", "INVALID_SLUG", "slug"),
        ("Acme", "Acme", "free", "INVALID_SLUG", "slug"),
        ("1acme", "Acme", "free", "INVALID_SLUG", "slug"),
        ("acme_inc", "Acme", "free", "INVALID_SLUG", "slug"),
        ("a" * 41, "Acme", "free", "INVALID_SLUG", "slug"),
        ("www", "Acme", "free", "INVALID_SLUG", "slug"),
        ("api", "Acme", "free", "INVALID_SLUG", "slug"),
        ("acme", "   ", "free", "INVALID_NAME", "name"),
        ("acme", "Acme", "platinum", "INVALID_PLAN", "plan"),
    ],
)
async def test_create_tenant_rejects_bad_input(
    gql: GraphQL, env: TenancyEnv, slug: str, name: str, plan: str, code: str, field: str
) -> None:
    payload = await create(gql, slug, name, plan=plan)
    assert payload["tenant"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)]
    assert await count_tenants(env) == 0
    assert await env.databases() == []


async def test_duplicate_slug_is_slug_taken(gql: GraphQL, env: TenancyEnv) -> None:
    await created(gql, "acme")
    assert codes(await create(gql, "acme", "Other")) == ["SLUG_TAKEN"]
    assert await count_tenants(env) == 1


async def test_unreachable_database_server_creates_nothing(gql: GraphQL, env: TenancyEnv) -> None:
    async with env.control.transaction() as session:
        for server in (await session.execute(select(DatabaseServer))).scalars():
            server.active = False
        session.add(DatabaseServer(name="dead", url=DEAD_SERVER_URL))
    payload = await create(gql, "acme")
    assert payload["tenant"] is None
    assert codes(payload) == ["DATABASE_UNREACHABLE"]
    assert await count_tenants(env) == 0
    assert await env.databases() == []
    missing = await gql('{ tenantBySlug(slug: "acme") { id } }')
    assert missing["data"]["tenantBySlug"] is None


async def test_no_active_server_is_no_database_server(gql: GraphQL, env: TenancyEnv) -> None:
    async with env.control.transaction() as session:
        for server in (await session.execute(select(DatabaseServer))).scalars():
            server.active = False
    assert codes(await create(gql, "acme")) == ["NO_DATABASE_SERVER"]
    assert await count_tenants(env) == 0


async def test_update_tenant(gql: GraphQL) -> None:
    tenant = await created(gql, "acme")
    result = await gql(UPDATE, id=tenant["id"], name="Acme Inc", plan="team")
    assert result["data"]["updateTenant"]["tenant"] == {
        "id": tenant["id"],
        "name": "Acme Inc",
        "plan": "team",
    }
    assert codes((await gql(UPDATE, id=tenant["id"], name=""))["data"]["updateTenant"]) == [
        "INVALID_NAME"
    ]
    unknown = await gql(UPDATE, id=str(uuid.uuid4()), name="X")
    assert codes(unknown["data"]["updateTenant"]) == ["TENANT_NOT_FOUND"]
    garbage = await gql(UPDATE, id="not-a-uuid", name="X")
    assert codes(garbage["data"]["updateTenant"]) == ["TENANT_NOT_FOUND"]


async def test_suspend_resume_delete_lifecycle(gql: GraphQL) -> None:
    tenant = await created(gql, "acme")
    tid = tenant["id"]
    assert (await transition(gql, "suspendTenant", tid))["tenant"]["status"] == "SUSPENDED"
    assert (await transition(gql, "suspendTenant", tid))["tenant"]["status"] == "SUSPENDED"
    domain = await gql(ADD_DOMAIN, tenantId=tid, host="support.acme.com")
    assert codes(domain["data"]["addCustomDomain"]) == ["TENANT_SUSPENDED"]
    assert (await transition(gql, "resumeTenant", tid))["tenant"]["status"] == "ACTIVE"
    assert (await transition(gql, "deleteTenant", tid))["tenant"]["status"] == "DELETED"
    for name in ("suspendTenant", "resumeTenant", "deleteTenant"):
        assert codes(await transition(gql, name, tid)) == ["TENANT_DELETED"]
    updated = await gql(UPDATE, id=tid, name="X")
    assert codes(updated["data"]["updateTenant"]) == ["TENANT_DELETED"]
    gone = await gql('{ tenantByDomain(host: "acme.localhost") { slug } }')
    assert gone["data"]["tenantByDomain"] is None
    assert codes(await transition(gql, "suspendTenant", str(uuid.uuid4()))) == ["TENANT_NOT_FOUND"]


async def test_custom_domain_add_and_verify(gql: GraphQL) -> None:
    tenant = await created(gql, "acme")
    added = (await gql(ADD_DOMAIN, tenantId=tenant["id"], host="Support.Acme.com"))["data"]
    domain = added["addCustomDomain"]["domain"]
    assert (domain["host"], domain["state"]) == ("support.acme.com", "PENDING")
    pending = await gql('{ tenantByDomain(host: "support.acme.com") { slug } }')
    assert pending["data"]["tenantByDomain"] is None

    wrong = await gql(VERIFY_DOMAIN, host="support.acme.com", token="nope")
    assert codes(wrong["data"]["verifyCustomDomain"]) == ["INVALID_VERIFICATION_TOKEN"]
    unknown = await gql(VERIFY_DOMAIN, host="other.example.com", token="x")
    assert codes(unknown["data"]["verifyCustomDomain"]) == ["DOMAIN_NOT_FOUND"]
    token = domain["verificationToken"]
    verified = await gql(VERIFY_DOMAIN, host="support.acme.com", token=token)
    assert verified["data"]["verifyCustomDomain"]["domain"]["state"] == "VERIFIED"
    resolved = await gql('{ tenantByDomain(host: "support.acme.com") { slug } }')
    assert resolved["data"]["tenantByDomain"] == {"slug": "acme"}

    other = await created(gql, "beta")
    taken = await gql(ADD_DOMAIN, tenantId=other["id"], host="support.acme.com")
    assert codes(taken["data"]["addCustomDomain"]) == ["DOMAIN_TAKEN"]
    for host in ("not a host", "beta.localhost", "localhost"):
        bad = await gql(ADD_DOMAIN, tenantId=other["id"], host=host)
        assert codes(bad["data"]["addCustomDomain"]) == ["INVALID_DOMAIN"]
    nobody = await gql(ADD_DOMAIN, tenantId=str(uuid.uuid4()), host="x.example.com")
    assert codes(nobody["data"]["addCustomDomain"]) == ["TENANT_NOT_FOUND"]


async def test_tenants_connection_paginates_by_slug(gql: GraphQL) -> None:
    for slug in ("delta", "alpha", "charlie", "bravo"):
        await created(gql, slug)
    query = """query($after: String) { tenants(first: 3, after: $after) {
        edges { cursor node { slug } } pageInfo { hasNextPage hasPreviousPage endCursor } } }"""
    first = (await gql(query))["data"]["tenants"]
    assert [e["node"]["slug"] for e in first["edges"]] == ["alpha", "bravo", "charlie"]
    assert first["pageInfo"]["hasNextPage"] is True
    second = (await gql(query, after=first["pageInfo"]["endCursor"]))["data"]["tenants"]
    assert [e["node"]["slug"] for e in second["edges"]] == ["delta"]
    assert second["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "endCursor": second["edges"][0]["cursor"],
    }
    bad = await gql(query, after="garbage!")
    assert bad["data"] is None
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


async def test_suspension_applies_at_once_in_the_process(gql: GraphQL, runtime: Runtime) -> None:
    tenant = await created(gql, "acme")
    tenant_id = TenantId(uuid.UUID(tenant["id"]))
    assert (await runtime.scopes.scope_for(tenant_id)).slug == "acme"  # now cached
    await transition(gql, "suspendTenant", tenant["id"])
    with pytest.raises(TenantUnavailableError):
        await runtime.scopes.scope_for(tenant_id)
    await transition(gql, "resumeTenant", tenant["id"])
    assert (await runtime.scopes.scope_for(tenant_id)).slug == "acme"
