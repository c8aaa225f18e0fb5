"""Uploads through the real router (uvicorn, ephemeral ports) to the files subgraph, then the
download through the signed URL; limits, spoofed content, CSRF and tenant isolation."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from router.app import build_app as build_router
from router.compose.compose import compose
from router.compose.result import SubgraphSource
from router.config import RouterConfig
from router.routes_config import UploadsConfig
from saas_platform.tenancy.testing import TenancyEnv
from subgraphs.files.app import build_schema
from subgraphs.kit.federation import print_sdl
from subgraphs.kit.files import sign_download
from tests.router.multipart.stack import Stack
from tests.subgraphs.chat.servers import serve
from tests.subgraphs.files.harness import (
    PNG,
    UPLOAD,
    multipart,
    stored_files,
)


def _files_supergraph(url: str) -> str:
    result = compose([SubgraphSource("files", url, print_sdl(build_schema()))])
    assert result.supergraph_sdl is not None, result.errors
    return result.supergraph_sdl


def _payload(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["uploadFile"]
    return result


async def test_upload_through_the_router_then_download(stack: Stack) -> None:
    tenant = await stack.fh.tenant()
    stored = _payload(await stack.upload(tenant, "photo.png", PNG, "image/png"))["file"]
    assert stored["name"] == "photo.png"
    assert stored["size"] == len(PNG)
    assert stored["downloadUrl"].startswith(stack.files_url + "/files/")
    async with httpx.AsyncClient() as client:
        response = await client.get(stored["downloadUrl"])
    assert response.status_code == 200
    assert response.content == PNG
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith('attachment; filename="photo.png"')
    # and readable back through the router
    read = await stack.router.post(
        "/graphql",
        json={
            "query": "query($id: ID!) { file(id: $id) { sha256 } }",
            "variables": {"id": stored["id"]},
        },
        headers=stack.headers(tenant),
    )
    assert read.json()["data"]["file"]["sha256"] == stored["sha256"]


async def test_malicious_uploads_are_refused(stack: Stack) -> None:
    tenant = await stack.fh.tenant()
    exe = b"MZ\x90\x00" + b"\x00" * 200
    result = _payload(await stack.upload(tenant, "cat.png", exe, "image/png"))
    assert [e["code"] for e in result["userErrors"]] == ["FILE_CONTENT_MISMATCH"]
    html = b"<!DOCTYPE html><script>steal()</script>"
    result = _payload(await stack.upload(tenant, "readme.txt", html, "text/plain"))
    assert [e["code"] for e in result["userErrors"]] == ["FILE_CONTENT_MISMATCH"]
    # over the files subgraph's limit (4 KiB in the harness), under the router's (64 KiB)
    result = _payload(await stack.upload(tenant, "big.txt", b"a" * 5000, "text/plain"))
    assert [e["code"] for e in result["userErrors"]] == ["FILE_TOO_LARGE"]
    # traversal names are stored as a plain display name; the path never uses them
    for name in ("../../../../etc/passwd.txt", "..\\..\\boot.ini.txt", "/abs/x.txt"):
        stored = _payload(await stack.upload(tenant, name, b"plain text", "text/plain"))["file"]
        assert "/" not in stored["name"]
        assert "\\" not in stored["name"]
        assert not stored["name"].startswith(".")
    root = stack.fh.deps.config.root.resolve()
    for path in root.rglob("*"):
        assert path.resolve().is_relative_to(root / tenant.id)
        assert "passwd" not in path.name
        assert "boot" not in path.name


async def test_router_refuses_oversize_bodies(stack: Stack) -> None:
    tenant = await stack.fh.tenant()
    response = await stack.upload(tenant, "huge.txt", b"a" * 70_000, "text/plain")
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "UPLOAD_TOO_LARGE"
    # under the request limit (64 KiB), over the per-file limit (32 KiB)
    response = await stack.upload(tenant, "big.txt", b"a" * 40_000, "text/plain")
    assert response.status_code == 413
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UPLOAD_TOO_LARGE"
    assert "big.txt" in error["message"]
    assert not [p for p in stack.fh.deps.config.root.rglob("*") if p.is_file()]


async def test_uploads_can_be_switched_off(env: TenancyEnv) -> None:
    config = RouterConfig(hot_reload=False, uploads=UploadsConfig(enabled=False))
    app = build_router(config, supergraph_sdl=_files_supergraph("http://127.0.0.1:9/graphql"))
    async with serve(app) as host, httpx.AsyncClient(base_url=f"http://{host}") as client:
        response = await client.post(
            "/graphql",
            headers={"apollo-require-preflight": "1"},
            **multipart(UPLOAD, "a.txt", b"hello", "text/plain"),
        )
    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "UPLOADS_DISABLED"


async def test_csrf_preflight_header_is_required(stack: Stack) -> None:
    tenant = await stack.fh.tenant()
    headers = stack.headers(tenant)
    del headers["apollo-require-preflight"]
    response = await stack.router.post(
        "/graphql", headers=headers, **multipart(UPLOAD, "a.txt", b"hello", "text/plain")
    )
    assert response.status_code == 400
    extensions = response.json()["errors"][0]["extensions"]
    assert extensions["code"] == "CSRF_PREVENTED"
    assert extensions["requestId"] == response.headers["x-request-id"]  # like every refusal
    assert not [p for p in stack.fh.deps.config.root.rglob("*") if p.is_file()]


async def test_malformed_multipart_requests(stack: Stack) -> None:
    tenant = await stack.fh.tenant()
    headers = stack.headers(tenant)
    cases: list[dict[str, Any]] = [
        {"data": {"operations": "{", "map": "{}"}, "files": {"0": ("a", b"x", "text/plain")}},
        {  # the map names a file that is not there
            "data": {
                "operations": json.dumps({"query": UPLOAD}),
                "map": '{"0": ["variables.file"]}',
            },
            "files": {"other": ("a", b"x", "text/plain")},
        },
        {
            "data": {"operations": json.dumps({"query": UPLOAD}), "map": '{"0": ["query"]}'},
            "files": {"0": ("a", b"x", "text/plain")},
        },
    ]
    for case in cases:
        response = await stack.router.post("/graphql", headers=headers, **case)
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_expired_and_foreign_urls(stack: Stack) -> None:
    a, b = await stack.fh.tenant(), await stack.fh.tenant()
    stored = _payload(await stack.upload(a, "a.txt", b"only for a", "text/plain"))["file"]
    secret = stack.fh.deps.config.signing_secret
    async with httpx.AsyncClient(base_url=stack.files_url) as client:
        expired = sign_download(secret, a.id, stored["id"], int(time.time()) - 5)
        response = await client.get(f"/files/{expired}")
        assert response.status_code == 410
        assert "expired" in response.json()["error"]["message"]
        foreign = sign_download(secret, b.id, stored["id"], int(time.time()) + 60)
        assert (await client.get(f"/files/{foreign}")).status_code == 404
    # B asking the router for A's file id gets nothing
    read = await stack.router.post(
        "/graphql",
        json={
            "query": "query($id: ID!) { file(id: $id) { id } }",
            "variables": {"id": stored["id"]},
        },
        headers=stack.headers(b),
    )
    assert read.json()["data"]["file"] is None


TWO = """mutation($a: Upload!, $b: Upload!) {
  a: uploadFile(file: $a) { file { name sha256 } userErrors { code } }
  b: uploadFile(file: $b) { file { name sha256 } userErrors { code } } }"""


async def test_several_files_in_one_request(stack: Stack) -> None:
    tenant = await stack.fh.tenant()
    operations = {"query": TWO, "variables": {"a": None, "b": None}}
    form = {
        "operations": json.dumps(operations),
        "map": json.dumps({"0": ["variables.a"], "1": ["variables.b"]}),
    }
    files = {"0": ("one.txt", b"first", "text/plain"), "1": ("two.png", PNG, "image/png")}
    response = await stack.router.post(
        "/graphql", headers=stack.headers(tenant), data=form, files=files
    )
    body = response.json()
    assert body["data"]["a"]["file"]["name"] == "one.txt"
    assert body["data"]["b"]["file"]["name"] == "two.png"
    assert len(stored_files(stack.fh.deps.config.root)) == 2
    # more files than ROUTER_MAX_UPLOAD_FILES (10) are refused
    many = {str(i): (f"{i}.txt", b"x", "text/plain") for i in range(11)}
    form["map"] = json.dumps({str(i): ["variables.a"] for i in range(11)})
    response = await stack.router.post(
        "/graphql", headers=stack.headers(tenant), data=form, files=many
    )
    assert response.status_code == 400
    assert "Too many files" in response.json()["errors"][0]["message"]
