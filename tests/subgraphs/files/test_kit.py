"""The storage kit alone: names, sniffing, limits, signed tokens, the local backend."""

from __future__ import annotations

import io
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from subgraphs.kit.files import (
    FileContentMismatchError,
    FilesConfig,
    FileTooLargeError,
    FileTypeNotAllowedError,
    LocalStorage,
    StorageKeyError,
    TokenError,
    TokenProblem,
    ingest,
    new_key,
    sanitize_filename,
    sign_download,
    verify_download,
)
from tests.subgraphs.files.harness import PNG

TENANT = "6f1c1a56-8f0e-4f55-9d5e-3b1de1c0a001"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
PDF = b"%PDF-1.7\n" + b"0" * 32


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system.ini", "system.ini"),
        ("/abs/path/report.pdf", "report.pdf"),
        ("..", "file"),
        ("", "file"),
        (None, "file"),
        ("a\x00b\x1f\x7fc.txt", "abc.txt"),
        ("evil\u202egnp.exe", "evilgnp.exe"),  # right-to-left override removed
        (".hidden", "hidden"),
        ("we<i>rd:na|me?.txt", "we_i_rd_na_me_.txt"),
        ("line\nbreak.txt", "linebreak.txt"),
    ],
)
def test_sanitize_filename(raw: str | None, expected: str) -> None:
    assert sanitize_filename(raw) == expected


def test_long_names_keep_their_extension_within_the_byte_limit() -> None:
    name = sanitize_filename("é" * 300 + ".pdf")
    assert name.endswith(".pdf")
    assert len(name.encode()) <= 200


async def _chunks(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _config(tmp_path: Path, **changes: object) -> FilesConfig:
    return FilesConfig(root=tmp_path, max_bytes=4096, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "name", "declared", "accepted"),
    [
        (PNG, "a.png", "image/png", "image/png"),
        (JPEG, "a.jpg", "image/jpg", "image/jpeg"),
        (PDF, "a.pdf", "application/pdf", "application/pdf"),
        (b"a,b\n1,2\n", "a.csv", "text/csv", "text/csv"),
        (b"hello", "notes", "text/plain; charset=utf-8", "text/plain"),
    ],
)
async def test_ingest_accepts_matching_content(
    tmp_path: Path, data: bytes, name: str, declared: str, accepted: str
) -> None:
    blob = await ingest(_chunks(data), name, declared, _config(tmp_path))
    try:
        assert blob.content_type == accepted
        assert blob.size == len(data)
        assert blob.data.read() == data
    finally:
        blob.close()


@pytest.mark.parametrize(
    ("data", "name", "declared", "error"),
    [
        (b"MZ\x90\x00" + b"\x00" * 64, "cat.png", "image/png", FileContentMismatchError),
        (PNG, "cat.jpg", "image/jpeg", FileContentMismatchError),  # name and bytes say png
        (PDF, "doc.png", "image/png", FileContentMismatchError),
        (b"just text", "fake.png", "image/png", FileContentMismatchError),
        (b"<svg onload=alert(1)>", "x.txt", "text/plain", FileContentMismatchError),
        (b"  <HTML><body>", "x.csv", "text/csv", FileContentMismatchError),
        (b"\x00\x01binary", "x.txt", "text/plain", FileContentMismatchError),
        (b"hello", "page.html", "text/plain", FileContentMismatchError),
        (b"<html>", "page.html", "text/html", FileTypeNotAllowedError),
        (b"x" * 5000, "big.txt", "text/plain", FileTooLargeError),
    ],
)
async def test_ingest_refuses(
    tmp_path: Path, data: bytes, name: str, declared: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await ingest(_chunks(data), name, declared, _config(tmp_path))


async def test_ingest_stops_reading_at_the_limit(tmp_path: Path) -> None:
    read = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal read
        while True:
            read += 1024
            yield b"a" * 1024

    with pytest.raises(FileTooLargeError):
        await ingest(endless(), "a.txt", "text/plain", _config(tmp_path))
    assert read <= 4096 + 1024


def test_tokens_verify_and_refuse() -> None:
    secret = b"k" * 32
    token = sign_download(secret, TENANT, "f1", int(time.time()) + 60)
    grant = verify_download(secret, token)
    assert (grant.tenant_id, grant.file_id) == (TENANT, "f1")
    problems = {
        "expired": (sign_download(secret, TENANT, "f1", int(time.time()) - 1), secret),
        "other secret": (token, b"j" * 32),
        "garbage": ("not-a-token", secret),
        "truncated": (token[:-3], secret),
    }
    expected = {
        "expired": TokenProblem.EXPIRED,
        "other secret": TokenProblem.BAD_SIGNATURE,
        "garbage": TokenProblem.MALFORMED,
        "truncated": TokenProblem.BAD_SIGNATURE,
    }
    for label, (candidate, key) in problems.items():
        with pytest.raises(TokenError) as caught:
            verify_download(key, candidate)
        assert caught.value.problem is expected[label], label


async def test_local_storage_is_per_tenant_and_refuses_crafted_addresses(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    key = new_key()
    await storage.put(TENANT, key, io.BytesIO(b"bytes"), "text/plain")
    assert (tmp_path / TENANT / key[:2] / key).read_bytes() == b"bytes"
    assert b"".join([c async for c in storage.read(TENANT, key)]) == b"bytes"
    for tenant, bad_key in [
        (TENANT, "../../etc/passwd"),
        (TENANT, key + "/.."),
        ("..", key),
        (f"{TENANT}/../other", key),
    ]:
        with pytest.raises(StorageKeyError):
            await storage.put(tenant, bad_key, io.BytesIO(b"x"), "text/plain")
    other = "6f1c1a56-8f0e-4f55-9d5e-3b1de1c0a002"
    with pytest.raises(FileNotFoundError):
        _ = [c async for c in storage.read(other, key)]
    await storage.delete(TENANT, key)
    assert not (tmp_path / TENANT / key[:2] / key).exists()
