"""The files subgraph over ASGI: upload, read, signed downloads, delete, tenant isolation."""

from __future__ import annotations

import hashlib
import time
import uuid

from subgraphs.kit.files import sign_download
from tests.subgraphs.files.harness import (
    DELETE,
    GET,
    PNG,
    UPLOAD,
    FilesHarness,
    multipart,
    stored_files,
)


async def test_upload_then_download_through_the_signed_url(fh: FilesHarness) -> None:
    tenant = await fh.tenant()
    result = await fh.upload(tenant, "../../etc/passwd.png", PNG, "image/png")
    assert result["userErrors"] == []
    stored = result["file"]
    assert stored["name"] == "passwd.png"
    assert stored["size"] == len(PNG)
    assert stored["sha256"] == hashlib.sha256(PNG).hexdigest()
    response = await fh.client.get(stored["downloadUrl"].removeprefix("http://files"))
    assert response.status_code == 200
    assert response.content == PNG
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith("attachment;")
    # the bytes sit under the tenant's directory with a random name, never the client's
    (path,) = [p for p in (fh.deps.config.root / tenant.id).rglob("*") if p.is_file()]
    assert "pass" not in path.name
    assert path.read_bytes() == PNG


async def test_refused_uploads_are_user_errors(fh: FilesHarness) -> None:
    tenant = await fh.tenant()
    cases = [
        ("big.png", PNG + b"\x00" * 5000, "image/png", "FILE_TOO_LARGE"),
        (
            "a.exe",
            b"MZ\x90\x00" + b"\x00" * 100,
            "application/x-msdownload",
            "FILE_TYPE_NOT_ALLOWED",
        ),
        ("cat.png", b"MZ\x90\x00" + b"\x00" * 100, "image/png", "FILE_CONTENT_MISMATCH"),
        ("notes.txt", b"<html><script>alert(1)</script>", "text/plain", "FILE_CONTENT_MISMATCH"),
        ("page.html", b"hello", "text/plain", "FILE_CONTENT_MISMATCH"),
        ("empty.txt", b"", "text/plain", "FILE_EMPTY"),
    ]
    for name, data, content_type, code in cases:
        result = await fh.upload(tenant, name, data, content_type)
        assert result["file"] is None, name
        assert [e["code"] for e in result["userErrors"]] == [code], name
    assert not list((fh.deps.config.root).rglob("*.part"))


async def test_signed_url_problems(fh: FilesHarness) -> None:
    tenant = await fh.tenant()
    stored = (await fh.upload(tenant, "a.txt", b"hello", "text/plain"))["file"]
    secret = fh.deps.config.signing_secret
    expired = sign_download(secret, tenant.id, stored["id"], int(time.time()) - 1)
    response = await fh.client.get(f"/files/{expired}")
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "DOWNLOAD_URL_EXPIRED"
    forged = sign_download(b"x" * 32, tenant.id, stored["id"], int(time.time()) + 60)
    assert (await fh.client.get(f"/files/{forged}")).status_code == 403
    assert (await fh.client.get("/files/garbage")).status_code == 403
    # tampering with the tenant part of a genuine token breaks the signature
    token = stored["downloadUrl"].rsplit("/", 1)[-1]
    other = str(uuid.uuid4())
    payload = sign_download(secret, other, stored["id"], 10**10).split(".")[0]
    assert (await fh.client.get(f"/files/{payload}.{token.split('.')[1]}")).status_code == 403


async def test_tenants_never_see_each_others_files(fh: FilesHarness) -> None:
    a, b = await fh.tenant(), await fh.tenant()
    stored = (await fh.upload(a, "a.txt", b"tenant a secret", "text/plain"))["file"]
    # B asks for A's id: nothing
    body = await fh.gql(GET, {"id": stored["id"]}, b)
    assert body["data"]["file"] is None
    body = await fh.gql(
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on File { id } } }",
        {"r": [{"__typename": "File", "id": stored["id"]}]},
        b,
    )
    assert body["data"]["_entities"] == [None]
    # a URL signed for B naming A's file id serves nothing
    secret = fh.deps.config.signing_secret
    token = sign_download(secret, b.id, stored["id"], int(time.time()) + 60)
    assert (await fh.client.get(f"/files/{token}")).status_code == 404
    # B cannot delete it
    body = await fh.gql(DELETE, {"id": stored["id"]}, b)
    assert body["data"]["deleteFile"]["userErrors"] == [{"code": "FILE_NOT_FOUND"}]
    assert (await fh.gql(GET, {"id": stored["id"]}, a))["data"]["file"]["id"] == stored["id"]


async def test_delete_removes_record_and_bytes(fh: FilesHarness) -> None:
    tenant = await fh.tenant()
    stored = (await fh.upload(tenant, "a.txt", b"bye", "text/plain"))["file"]
    url = stored["downloadUrl"].removeprefix("http://files")
    body = await fh.gql(DELETE, {"id": stored["id"]}, tenant)
    assert body["data"]["deleteFile"] == {"deletedId": stored["id"], "userErrors": []}
    assert (await fh.gql(GET, {"id": stored["id"]}, tenant))["data"]["file"] is None
    assert (await fh.client.get(url)).status_code == 404
    assert not [p for p in fh.deps.config.root.rglob("*") if p.is_file()]


async def test_anonymous_callers_cannot_upload_or_read(fh: FilesHarness) -> None:
    tenant = await fh.tenant()
    response = await fh.client.post(
        "/graphql",
        json={"query": GET, "variables": {"id": str(uuid.uuid4())}},
        headers={"x-tenant-id": tenant.id},
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_bodies_far_over_the_limit_are_cut_off_before_parsing(fh: FilesHarness) -> None:
    tenant = await fh.tenant()
    limit = fh.deps.config.max_bytes + 1024 * 1024
    headers = {"x-tenant-id": tenant.id, "authorization": f"Bearer {tenant.owner_token}"}
    data = multipart(UPLOAD, "big.txt", b"a" * (limit + 1), "text/plain")
    response = await fh.client.post("/graphql", headers=headers, **data)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "FILE_TOO_LARGE"
    assert not stored_files(fh.deps.config.root)


async def test_a_file_sent_as_json_is_a_user_error(fh: FilesHarness) -> None:
    tenant = await fh.tenant()
    body = await fh.gql(UPLOAD, {"file": "not a file"}, tenant)
    assert body["data"]["uploadFile"]["userErrors"][0]["code"] == "FILE_REQUIRED"
