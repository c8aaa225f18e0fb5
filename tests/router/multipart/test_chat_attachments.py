"""Chat message attachments are File ids resolved through federation (router + chat + files
on uvicorn); a message of tenant B naming tenant A's file resolves to null; an upload that
the plan would send to two subgraphs is refused before anything runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry
from strawberry.asgi import GraphQL
from strawberry.file_uploads import Upload

from router.app import build_app as build_router
from router.compose.compose import compose
from router.compose.result import SubgraphSource
from router.config import RouterConfig
from saas_platform.tenancy.testing import TenancyEnv, tenancy_env
from subgraphs.chat.app import build_schema as chat_schema
from subgraphs.files.app import build_app as files_app
from subgraphs.files.app import build_schema as files_schema
from subgraphs.files.deps import FilesDeps
from subgraphs.kit.federation import print_sdl
from subgraphs.kit.files import LocalStorage
from tests.subgraphs.chat.harness import ChatHarness, People, chat_harness
from tests.subgraphs.chat.servers import serve
from tests.subgraphs.files.harness import PNG, UPLOAD, files_config, multipart, stored_files

SEND = """mutation($input: SendChatMessageInput!) { sendChatMessage(input: $input) {
  message { id attachmentIds } userErrors { field code message } } }"""
READ = """query($id: ID!) { conversation(id: $id) { messages { body attachmentIds
  files { id name size downloadUrl } attachments { name url } } } }"""


@strawberry.type
class _Query:
    ping: str = "pong"


@strawberry.type
class _Mutation:
    @strawberry.mutation
    async def scan(self, file: Upload) -> int:
        return 1


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[TenancyEnv]:
    async with tenancy_env("sqlite", tmp_path / "data") as environment:
        yield environment


class Stack:
    def __init__(self, ch: ChatHarness, client: httpx.AsyncClient) -> None:
        self.ch = ch
        self.client = client

    async def post(self, people: People, token: str, **kwargs: Any) -> dict[str, Any]:
        headers = {
            "x-tenant-id": people.tenant.id,
            "authorization": f"Bearer {token}",
            "apollo-require-preflight": "1",
        }
        response = await self.client.post("/graphql", headers=headers, **kwargs)
        assert response.status_code in (200, 400), response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
async def stack(env: TenancyEnv) -> AsyncIterator[Stack]:
    scanner = strawberry.federation.Schema(
        query=_Query, mutation=_Mutation, federation_version="2.7"
    )  # type: ignore[arg-type]
    async with chat_harness(env) as ch:
        config = files_config(env.settings.data_dir / "files")
        files = files_app(ch.identity.runtime, FilesDeps(config, LocalStorage(config.root)))
        async with (
            serve(ch.app) as chat_host,
            serve(files) as files_host,
            serve(GraphQL(scanner, multipart_uploads_enabled=True)) as scan_host,
        ):
            sources = [
                SubgraphSource("chat", f"http://{chat_host}/graphql", print_sdl(chat_schema())),
                SubgraphSource("files", f"http://{files_host}/graphql", print_sdl(files_schema())),
                SubgraphSource("scanner", f"http://{scan_host}/graphql", scanner.as_str()),
            ]
            result = compose(sources)
            assert result.supergraph_sdl is not None, result.errors
            router = build_router(
                RouterConfig(
                    hot_reload=False,
                    request_timeout=5.0,
                    propagate_headers=("authorization", "x-tenant", "x-tenant-id"),
                ),
                supergraph_sdl=result.supergraph_sdl,
            )
            async with serve(router) as host, httpx.AsyncClient(base_url=f"http://{host}") as c:
                yield Stack(ch, c)


async def _upload(stack: Stack, people: People, data: bytes = PNG) -> str:
    body = await stack.post(
        people, people.agent, **multipart(UPLOAD, "shot.png", data, "image/png")
    )
    result = body["data"]["uploadFile"]
    assert result["userErrors"] == [], result
    return str(result["file"]["id"])


async def _conversation(stack: Stack, people: People) -> str:
    inbox = await stack.ch.inbox(people)
    started = await stack.ch.start(people, inbox)
    return str(started["conversation"]["id"])


async def test_message_attachments_resolve_through_federation(stack: Stack) -> None:
    people = await stack.ch.people()
    file_id = await _upload(stack, people)
    conversation = await _conversation(stack, people)
    data = {"conversationId": conversation, "body": "see attached", "attachmentIds": [file_id]}
    sent = await stack.post(
        people, people.agent, json={"query": SEND, "variables": {"input": data}}
    )
    assert sent["data"]["sendChatMessage"]["message"]["attachmentIds"] == [file_id]
    read = await stack.post(
        people, people.agent, json={"query": READ, "variables": {"id": conversation}}
    )
    assert "errors" not in read, read
    last = read["data"]["conversation"]["messages"][-1]
    assert last["attachmentIds"] == [file_id]
    (file,) = last["files"]
    assert (file["id"], file["name"], file["size"]) == (file_id, "shot.png", len(PNG))
    async with httpx.AsyncClient() as client:
        assert (await client.get(file["downloadUrl"])).content == PNG
    # messages written before file storage keep their legacy references
    legacy = {
        "conversationId": conversation,
        "body": "old style",
        "attachments": [{"name": "a.pdf", "url": "https://cdn.example/a.pdf"}],
    }
    await stack.post(people, people.agent, json={"query": SEND, "variables": {"input": legacy}})
    read = await stack.post(
        people, people.agent, json={"query": READ, "variables": {"id": conversation}}
    )
    last = read["data"]["conversation"]["messages"][-1]
    assert last["attachments"] == [{"name": "a.pdf", "url": "https://cdn.example/a.pdf"}]
    assert last["files"] == []


async def test_a_foreign_file_id_resolves_to_nothing(stack: Stack) -> None:
    a, b = await stack.ch.people(), await stack.ch.people()
    file_id = await _upload(stack, a)
    conversation = await _conversation(stack, b)
    data = {"conversationId": conversation, "body": "steal", "attachmentIds": [file_id]}
    await stack.post(b, b.agent, json={"query": SEND, "variables": {"input": data}})
    read = await stack.post(b, b.agent, json={"query": READ, "variables": {"id": conversation}})
    assert read["data"]["conversation"]["messages"][-1]["files"] == [None]


async def test_an_upload_for_two_subgraphs_is_refused(stack: Stack) -> None:
    people = await stack.ch.people()
    query = (
        """mutation($file: Upload!) { uploadFile(file: $file) { file { id } } scan(file: $file) }"""
    )
    body = await stack.post(people, people.agent, **multipart(query, "a.png", PNG, "image/png"))
    assert body["errors"][0]["extensions"]["code"] == "UPLOAD_NEEDS_SEVERAL_SUBGRAPHS"
    assert "data" not in body
    # nothing was stored: the refusal came before any fetch
    assert not stored_files(stack.ch.identity.provisioner.settings.data_dir / "files")
