"""Who may administer tenants: every administrative operation is refused to anonymous callers,
a tenant's plain members and other tenants' owners, and allowed to platform operators; an
operator token is refused by tenant-scoped operations, a tenant token never acts as operator."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

import pytest

from subgraphs.kit.auth.throttle import RedisThrottle, Rule
from subgraphs.tenants.app import build_app, default_deps
from subgraphs.tenants.models import Operator, OperatorStatus
from tests.subgraphs.tenants.platform import GraphQL, GraphQLAs, Platform

PASSWORD = "violet-harbour-lantern-42"
CREATE = """mutation($slug: String!) {
  createTenant(input: {slug: $slug, name: "Acme"}) {
    tenant { id slug plan } userErrors { code }
  }
}"""
SIGN_UP = """mutation($email: String!) {
  signUp(email: $email, name: "Owner", password: "violet-harbour-lantern-42") {
    accessToken userErrors { code }
  }
}"""
INVITE = """mutation($email: String!, $role: String!) {
  inviteUser(email: $email, role: $role) { invitation { id } userErrors { code } }
}"""
ADD_DOMAIN = """mutation($tenantId: ID!, $host: String!) {
  addCustomDomain(input: {tenantId: $tenantId, host: $host}) {
    domain { host verificationToken } userErrors { code }
  }
}"""
STATE = "query($id: ID!) { tenant(id: $id) { name status domains { host state } } }"


@dataclass
class Member:
    tenant_id: str
    owner: str  # access token of the owner (tenant:manage)
    member: str  # access token of a plain member


async def identity(platform: Platform, query: str, tenant: str, token: str = "", **v: Any) -> Any:
    headers = {"x-tenant-id": tenant}
    if token:
        headers["authorization"] = f"Bearer {token}"
    response = await platform.identity.post(
        "/graphql", json={"query": query, "variables": v}, headers=headers
    )
    return response.json()


async def tenant_with_people(platform: Platform, gql: GraphQL, slug: str) -> Member:
    created = (await gql(CREATE, slug=slug))["data"]["createTenant"]["tenant"]
    tid = created["id"]
    owner = (await identity(platform, SIGN_UP, tid, email=f"owner@{slug}.test"))["data"]
    owner_token = owner["signUp"]["accessToken"]
    await identity(platform, INVITE, tid, owner_token, email=f"m@{slug}.test", role="member")
    invitation = platform.deps.mailer.last(f"m@{slug}.test", "invitation")  # type: ignore[attr-defined]
    accepted = await identity(
        platform,
        'mutation($t: String!) { acceptInvitation(token: $t, name: "M", '
        'password: "violet-harbour-lantern-42") { accessToken } }',
        tid,
        t=invitation.token,
    )
    return Member(tid, owner_token, accepted["data"]["acceptInvitation"]["accessToken"])


def admin_operations(tid: str, host: str, token: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """Operation name -> (document, variables) aimed at tenant `tid`."""
    mutation = (
        "mutation($id: ID!) {{ {op}(input: {{id: $id}}) "
        "{{ tenant {{ id }} userErrors {{ code }} }} }}"
    )
    return {
        "tenants": ("{ tenants { edges { node { id } } } }", {}),
        "tenant": ("query($id: ID!) { tenant(id: $id) { id plan } }", {"id": tid}),
        "updateTenant": (
            'mutation($id: ID!) { updateTenant(input: {id: $id, name: "Pwned"}) '
            "{ tenant { id } userErrors { code } } }",
            {"id": tid},
        ),
        "suspendTenant": (mutation.format(op="suspendTenant"), {"id": tid}),
        "resumeTenant": (mutation.format(op="resumeTenant"), {"id": tid}),
        "deleteTenant": (mutation.format(op="deleteTenant"), {"id": tid}),
        "addCustomDomain": (ADD_DOMAIN, {"tenantId": tid, "host": "evil.example.org"}),
        "verifyCustomDomain": (
            "mutation($host: String!, $t: String!) { verifyCustomDomain(input: "
            "{host: $host, token: $t}) { domain { state } userErrors { code } } }",
            {"host": host, "t": token},
        ),
    }


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


@pytest.fixture
async def target(platform: Platform, gql: GraphQL) -> tuple[Member, Member, str, str]:
    """Tenant A (with a pending domain), tenant B; the domain's host and token."""
    a = await tenant_with_people(platform, gql, "alpha")
    b = await tenant_with_people(platform, gql, "bravo")
    added = (await gql(ADD_DOMAIN, tenantId=a.tenant_id, host="help.alpha.org"))["data"]
    domain = added["addCustomDomain"]["domain"]
    return a, b, domain["host"], domain["verificationToken"]


async def assert_untouched(gql: GraphQL, tid: str) -> None:
    state = (await gql(STATE, id=tid))["data"]["tenant"]
    assert state == {
        "name": "Acme",
        "status": "ACTIVE",
        "domains": [{"host": "help.alpha.org", "state": "PENDING"}],
    }


async def test_admin_operations_are_refused_to_non_operators(
    platform: Platform, gql: GraphQL, gql_as: GraphQLAs, target: tuple[Member, Member, str, str]
) -> None:
    a, b, host, token = target
    operations = admin_operations(a.tenant_id, host, token)
    refused = 0
    for name, (document, variables) in operations.items():
        anonymous = await gql_as(document, None, **variables)
        assert error_codes(anonymous) == ["UNAUTHENTICATED"], (name, anonymous)
        member = await gql_as(document, a.member, **variables)
        expected = [] if name == "tenant" else ["FORBIDDEN"]  # members read their own tenant
        assert error_codes(member) == expected, (name, member)
        foreign = await gql_as(document, b.owner, **variables)
        if name == "verifyCustomDomain":  # another tenant's domain does not exist for B
            codes = [e["code"] for e in foreign["data"][name]["userErrors"]]
            assert codes == ["DOMAIN_NOT_FOUND"], foreign
        else:
            assert error_codes(foreign) == ["FORBIDDEN"], (name, foreign)
        refused += 3
        await assert_untouched(gql, a.tenant_id)
    assert refused == 3 * len(operations)


async def test_owner_manages_its_own_tenant_but_not_its_lifecycle(
    gql: GraphQL, gql_as: GraphQLAs, target: tuple[Member, Member, str, str]
) -> None:
    a, _, host, token = target
    renamed = await gql_as(
        'mutation($id: ID!) { updateTenant(input: {id: $id, name: "Alpha Inc"}) '
        "{ tenant { name } userErrors { code } } }",
        a.owner,
        id=a.tenant_id,
    )
    assert renamed["data"]["updateTenant"] == {"tenant": {"name": "Alpha Inc"}, "userErrors": []}
    verified = await gql_as(
        "mutation($h: String!, $t: String!) { verifyCustomDomain(input: {host: $h, token: $t}) "
        "{ domain { state } userErrors { code } } }",
        a.owner,
        h=host,
        t=token,
    )
    assert verified["data"]["verifyCustomDomain"]["domain"] == {"state": "VERIFIED"}
    suspend = await gql_as(
        "mutation($id: ID!) { suspendTenant(input: {id: $id}) { tenant { id } } }",
        a.owner,
        id=a.tenant_id,
    )
    assert error_codes(suspend) == ["FORBIDDEN"]


async def test_operators_may_do_everything(
    gql: GraphQL, target: tuple[Member, Member, str, str]
) -> None:
    a, _, host, token = target
    operations = admin_operations(a.tenant_id, host, token)
    order = ["tenants", "tenant", "updateTenant", "addCustomDomain", "verifyCustomDomain"]
    order += ["suspendTenant", "resumeTenant", "deleteTenant"]
    for name in order:
        document, variables = operations[name]
        body = await gql(document, **variables)
        assert "errors" not in body, (name, body)
        payload = body["data"][name]
        if isinstance(payload, dict) and "userErrors" in payload:
            assert payload["userErrors"] == [], (name, payload)


async def test_public_lookups_show_only_public_fields_to_anonymous_callers(
    gql_as: GraphQLAs, target: tuple[Member, Member, str, str]
) -> None:
    a, b, _, _ = target
    # what the router's tenant policy asks: works without a credential
    routed = await gql_as('{ tenant: tenantBySlug(slug: "alpha") { id slug } }')
    assert routed == {"data": {"tenant": {"id": a.tenant_id, "slug": "alpha"}}}
    by_host = await gql_as('{ tenant: tenantByDomain(host: "alpha.localhost") { id slug } }')
    assert by_host["data"]["tenant"]["id"] == a.tenant_id
    public = await gql_as('{ tenantBySlug(slug: "alpha") { id slug name status } }')
    assert public["data"]["tenantBySlug"]["status"] == "ACTIVE"
    for field in ("plan", "createdAt", "failureReason", "domains { verificationToken }"):
        hidden = await gql_as(f'{{ tenantBySlug(slug: "alpha") {{ id {field} }} }}')
        assert error_codes(hidden) == ["UNAUTHENTICATED"], (field, hidden)
        foreign = await gql_as(f'{{ tenantBySlug(slug: "alpha") {{ id {field} }} }}', b.owner)
        assert error_codes(foreign) == ["FORBIDDEN"], (field, foreign)
    mine = await gql_as('{ tenantBySlug(slug: "alpha") { plan } }', a.member)
    assert mine["data"]["tenantBySlug"] == {"plan": "free"}
    domains = await gql_as('{ tenantBySlug(slug: "alpha") { domains { host } } }', a.member)
    assert error_codes(domains) == ["FORBIDDEN"]  # tokens of domains: tenant:manage only
    owner = await gql_as('{ tenantBySlug(slug: "alpha") { domains { host } } }', a.owner)
    assert owner["data"]["tenantBySlug"]["domains"] == [{"host": "help.alpha.org"}]


async def test_operator_tokens_are_refused_by_tenant_operations(
    platform: Platform, target: tuple[Member, Member, str, str]
) -> None:
    a, _, _, _ = target
    for query in ("{ me { id } }", "{ users { edges { node { id } } } }"):
        body = await identity(platform, query, a.tenant_id, platform.operator_token)
        assert error_codes(body) == ["UNAUTHENTICATED"], body
    login = await identity(
        platform,
        'mutation { login(email: "owner@alpha.test", password: "x") { accessToken } }',
        a.tenant_id,
        platform.operator_token,
    )
    assert error_codes(login) == ["UNAUTHENTICATED"]


async def test_tenant_credentials_never_act_as_operator(
    platform: Platform, gql_as: GraphQLAs, target: tuple[Member, Member, str, str]
) -> None:
    a, _, _, _ = target
    issuer = platform.deps.issuer
    # an op+jwt signed by the real key but with the tenant audience, and with a `tid`
    wrong_audience = issuer._sign(
        {"iss": issuer.policy.issuer, "aud": issuer.policy.audience, "sub": str(uuid.uuid4()),
         "kind": "operator", "iat": 1, "nbf": 1, "exp": 4102444800, "jti": "x"},
        "op+jwt",
    )  # fmt: skip
    operator_id = (await operator_row(platform)).id
    with_tid = issuer._sign(
        {"iss": issuer.policy.issuer, "aud": issuer.policy.operator_audience,
         "sub": str(operator_id), "tid": a.tenant_id, "kind": "operator", "iat": 1, "nbf": 1,
         "exp": 4102444800, "jti": "y"},
        "op+jwt",
    )  # fmt: skip
    for forged in (wrong_audience, with_tid, "garbage.token.here"):
        body = await gql_as("{ tenants { edges { node { id } } } }", forged)
        assert error_codes(body) == ["UNAUTHENTICATED"], body


async def operator_row(platform: Platform) -> Operator:
    from sqlalchemy import select

    async with platform.runtime.control.session() as session:
        return (await session.scalars(select(Operator))).one()


async def test_a_disabled_operator_is_refused_at_once(platform: Platform, gql: GraphQL) -> None:
    assert "errors" not in await gql("{ tenants { edges { node { id } } } }")
    async with platform.runtime.control.session() as session:
        from sqlalchemy import update

        await session.execute(update(Operator).values(status=OperatorStatus.DISABLED.value))
        await session.commit()
    assert error_codes(await gql("{ tenants { edges { node { id } } } }")) == ["UNAUTHENTICATED"]


async def test_self_serve_sign_up_is_throttled_per_ip(platform: Platform, gql: GraphQL) -> None:
    import httpx

    deps = replace(default_deps(platform.runtime), signup_rule=Rule(limit=2, window=3600))
    app = build_app(platform.runtime, deps)
    transport = httpx.ASGITransport(app=app, client=("10.9.9.9", 1000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as anon:

        async def create(slug: str, **headers: str) -> list[str]:
            response = await anon.post(
                "/graphql", json={"query": CREATE, "variables": {"slug": slug}}, headers=headers
            )
            payload = response.json()["data"]["createTenant"]
            return [e["code"] for e in payload["userErrors"]]

        assert await create("one-a") == []
        assert await create("bad slug!") == ["INVALID_SLUG"]  # attempts count, failed or not
        assert await create("one-c") == ["TOO_MANY_ATTEMPTS"]
        # headers from an untrusted peer cannot name another client
        spoofed = {"x-forwarded-for": "10.8.8.8", "x-client-ip": "10.8.8.8"}
        assert await create("one-d", **spoofed) == ["TOO_MANY_ATTEMPTS"]
    router = httpx.ASGITransport(app=app, client=("127.0.0.1", 1000))  # a trusted router
    async with httpx.AsyncClient(transport=router, base_url="http://t") as via_router:
        response = await via_router.post(
            "/graphql",
            json={"query": CREATE, "variables": {"slug": "one-d"}},
            headers={"x-client-ip": "10.8.8.8"},  # the client address the router computed
        )
        assert response.json()["data"]["createTenant"]["userErrors"] == []  # another client
    exists = await gql('{ tenantBySlug(slug: "one-c") { id } }')
    assert exists["data"]["tenantBySlug"] is None
    # operators are not throttled
    for slug in ("ops-a", "ops-b", "ops-c"):
        assert (await gql(CREATE, slug=slug))["data"]["createTenant"]["userErrors"] == []


@pytest.mark.redis
async def test_sign_up_throttle_is_shared_through_redis(platform: Platform, redis_url: str) -> None:
    import httpx
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_url)
    prefix = f"test:{uuid.uuid4().hex}:"
    try:
        clients = []
        for _ in range(2):  # two processes sharing one Redis
            deps = replace(
                default_deps(platform.runtime),
                throttle=RedisThrottle(redis, prefix),
                signup_rule=Rule(limit=1, window=3600),
            )
            transport = httpx.ASGITransport(
                app=build_app(platform.runtime, deps), client=("10.7.7.7", 1)
            )
            clients.append(httpx.AsyncClient(transport=transport, base_url="http://t"))
        first = await clients[0].post(
            "/graphql", json={"query": CREATE, "variables": {"slug": "red-a"}}
        )
        assert first.json()["data"]["createTenant"]["userErrors"] == []
        second = await clients[1].post(
            "/graphql", json={"query": CREATE, "variables": {"slug": "red-b"}}
        )
        assert second.json()["data"]["createTenant"]["userErrors"] == [
            {"code": "TOO_MANY_ATTEMPTS"}
        ]
        for client in clients:
            await client.aclose()
    finally:
        async for key in redis.scan_iter(f"{prefix}*"):
            await redis.delete(key)
        await redis.aclose()
