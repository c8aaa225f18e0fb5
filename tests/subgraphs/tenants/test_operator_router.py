"""Platform operators through the router: identity and tenants served over real HTTP on
loopback ports, the router in front with `saas-platform dev`'s token policy (tenant tokens and
`jwt.platform_tokens` for `op+jwt`). The operator's token lists tenants; naming a tenant with it
is refused at the edge; the tenants subgraph sees the router-computed client address."""

from __future__ import annotations

from pathlib import Path

import httpx

from router.app import build_app as build_router
from router.compose import SubgraphSource, compose
from router.config import load_config
from subgraphs.identity.app import build_app as build_identity_app
from subgraphs.kit.auth import DEFAULT_AUDIENCE, DEFAULT_ISSUER, OPERATOR_TOKEN_TYPE
from subgraphs.kit.auth.tokens import DEFAULT_OPERATOR_AUDIENCE
from subgraphs.kit.federation import print_sdl
from subgraphs.tenants.app import build_app, build_schema
from tests.router.policies.policystack import serve
from tests.subgraphs.tenants.platform import Platform

CREATE = """mutation($slug: String!) {
  createTenant(input: {slug: $slug, name: "Acme"}) { tenant { slug } userErrors { code } }
}"""
LIST = "{ tenants(first: 50) { edges { node { slug status } } } }"


async def test_operator_lists_tenants_through_the_router(
    platform: Platform, tmp_path: Path
) -> None:
    identity_app = build_identity_app(platform.runtime, platform.deps)
    async with serve(identity_app) as identity, serve(build_app(platform.runtime)) as tenants:
        source = SubgraphSource("tenants", f"{tenants}/graphql", print_sdl(build_schema()))
        composed = compose([source])
        assert composed.supergraph_sdl is not None, composed.errors
        path = tmp_path / "supergraph.graphql"
        path.write_text(composed.supergraph_sdl)
        policies = {
            "tenant": {"enabled": True, "lookup": True, "base_domain": "localhost"},
            "jwt": {
                "enabled": True,
                "jwks_url": f"{identity}/.well-known/jwks.json",
                "issuer": DEFAULT_ISSUER,
                "audience": DEFAULT_AUDIENCE,
                "platform_tokens": {
                    "typ": OPERATOR_TOKEN_TYPE,
                    "audience": DEFAULT_OPERATOR_AUDIENCE,
                },
            },
        }
        config = load_config(env={}, supergraph=path, policies=policies, hot_reload=False)
        auth = {"authorization": f"Bearer {platform.operator_token}"}
        async with (
            serve(build_router(config)) as router,
            httpx.AsyncClient(base_url=router, timeout=30) as client,
        ):

            async def post(query: str, headers: dict[str, str], **variables: str) -> httpx.Response:
                body = {"query": query, "variables": variables}
                return await client.post("/graphql", json=body, headers=headers)

            created = (await post(CREATE, auth, slug="via-router")).json()
            assert created["data"]["createTenant"]["userErrors"] == [], created
            listed = (await post(LIST, auth)).json()
            assert "errors" not in listed, listed
            slugs = [e["node"]["slug"] for e in listed["data"]["tenants"]["edges"]]
            assert "via-router" in slugs
            # without the token the same list is refused by the tenants subgraph
            anonymous = (await post(LIST, {})).json()
            assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
            # the operator cannot act inside a tenant through the router
            inside = await post(LIST, {**auth, "x-tenant": "via-router"})
            assert inside.status_code == 401
            assert inside.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
