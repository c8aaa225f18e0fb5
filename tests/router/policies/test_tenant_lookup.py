"""Slugs and custom domains resolved through the tenants subgraph's public fields (sent with
the router's own subgraph client), cached with a TTL; the router never reads its tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from policystack import policy_stack, serve
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

ACME = "0b7e2f4c-1d3a-4c5e-9f00-000000000001"


def tenants_app(log: list[dict[str, Any]]) -> Starlette:
    async def endpoint(request: Request) -> Response:
        body = orjson.loads(await request.body())
        log.append(body)
        value = body["variables"]["v"]
        found = None
        if "tenantBySlug" in body["query"] and value == "acme":
            found = {"id": ACME, "slug": "acme"}
        if "tenantByDomain" in body["query"] and value == "support.acme.com":
            found = {"id": ACME, "slug": "acme"}
        return Response(orjson.dumps({"data": {"tenant": found}}), media_type="application/json")

    return Starlette(routes=[Route("/", endpoint, methods=["POST"])])


async def test_slug_and_custom_domain_lookup_with_cache(tmp_path: Path) -> None:
    lookups: list[dict[str, Any]] = []
    async with serve(tenants_app(lookups)) as tenants:
        tenant = {"enabled": True, "base_domain": "example.test", "lookup": True, "required": True}
        async with policy_stack(
            tmp_path, {"tenant": tenant}, subgraph_urls={"tenants": tenants + "/"}
        ) as stack:
            for _ in range(3):
                response = await stack.post("{ hello }", headers={"host": "acme.example.test"})
                assert response.json() == {"data": {"hello": "world"}}
                assert stack.log[-1]["headers"]["x-tenant-id"] == ACME
            custom = await stack.post("{ hello }", headers={"host": "support.acme.com"})
            assert custom.json() == {"data": {"hello": "world"}}
            assert stack.log[-1]["headers"]["x-tenant-id"] == ACME
            unknown = await stack.post("{ hello }", headers={"host": "nope.example.test"})
            assert unknown.status_code == 401
            assert len(lookups) == 3  # acme once (cached), the custom domain, the unknown slug


async def test_unreachable_tenants_subgraph_is_503(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/"
    tenant = {"enabled": True, "base_domain": "example.test", "lookup": True}
    async with policy_stack(
        tmp_path, {"tenant": tenant}, subgraph_urls={"tenants": closed}
    ) as stack:
        response = await stack.post("{ hello }", headers={"host": "acme.example.test"})
        assert response.status_code == 503
        assert response.json()["errors"][0]["extensions"]["code"] == "TENANT_LOOKUP_FAILED"
        assert stack.log == []
