"""The S3 backend against moto's server over real HTTP (ephemeral port), and the files
subgraph configured to use it."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from aiobotocore.session import get_session
from moto.server import ThreadedMotoServer

from saas_platform.tenancy.testing import TenancyEnv
from subgraphs.kit.files import S3Config, build_storage, new_key
from subgraphs.kit.files.s3 import S3Storage
from tests.subgraphs.chat.servers import free_port
from tests.subgraphs.files.harness import PNG, files_config, files_harness

A = "6f1c1a56-8f0e-4f55-9d5e-3b1de1c0a001"
B = "6f1c1a56-8f0e-4f55-9d5e-3b1de1c0a002"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


async def _bucket(endpoint: str, name: str) -> S3Config:
    config = S3Config(
        bucket=name,
        endpoint_url=endpoint,
        access_key="test",
        secret_key="test",
        prefix="platform/",
    )
    async with get_session().create_client(
        "s3",
        endpoint_url=endpoint,
        region_name=config.region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ) as client:
        await client.create_bucket(Bucket=name)
    return config


async def test_s3_round_trip_with_tenant_prefixes(s3_endpoint: str) -> None:
    storage = S3Storage(await _bucket(s3_endpoint, "files-roundtrip"))
    key = new_key()
    try:
        await storage.put(A, key, io.BytesIO(b"tenant a"), "text/plain")
        assert storage.object_key(A, key) == f"platform/{A}/{key}"
        assert b"".join([c async for c in storage.read(A, key)]) == b"tenant a"
        with pytest.raises(FileNotFoundError):  # the same key under another tenant: nothing
            _ = [c async for c in storage.read(B, key)]
        await storage.delete(A, key)
        with pytest.raises(FileNotFoundError):
            _ = [c async for c in storage.read(A, key)]
    finally:
        await storage.aclose()


@pytest.fixture
def backend() -> str:
    return "sqlite"


async def test_files_subgraph_on_s3(env: TenancyEnv, s3_endpoint: str) -> None:
    s3 = await _bucket(s3_endpoint, "files-subgraph")
    config = files_config(env.settings.data_dir / "unused", backend="s3", s3=s3)
    async with files_harness(env, config, storage=build_storage(config)) as fh:
        tenant = await fh.tenant()
        stored = (await fh.upload(tenant, "p.png", PNG, "image/png"))["file"]
        response = await fh.client.get(stored["downloadUrl"].removeprefix("http://files"))
        assert response.status_code == 200
        assert response.content == PNG
        assert not (env.settings.data_dir / "unused").exists()
        await fh.deps.storage.aclose()
