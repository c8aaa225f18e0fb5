"""File storage configuration, read once from the environment (docs/files.md).

`FILES_BACKEND=local` (default) stores under `FILES_DIR` (default `DATA_DIR/files`);
`FILES_BACKEND=s3` stores in an S3-compatible bucket (`FILES_S3_*`).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEFAULT_ALLOWED_TYPES", "FilesConfig", "S3Config"]

DEFAULT_ALLOWED_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/pdf",
        "text/plain",
        "text/csv",
    }
)


@dataclass(frozen=True, slots=True)
class S3Config:
    bucket: str
    endpoint_url: str | None = None
    region: str = "us-east-1"
    access_key: str | None = None
    secret_key: str | None = None
    prefix: str = ""  # key prefix before the tenant id (several platforms in one bucket)


@dataclass(frozen=True, slots=True)
class FilesConfig:
    """Limits, the allow-list, the URL signing secret and the storage backend."""

    root: Path = Path("data/files")
    backend: str = "local"  # "local" or "s3"
    s3: S3Config | None = None
    max_bytes: int = 10 * 1024 * 1024
    allowed_types: frozenset[str] = DEFAULT_ALLOWED_TYPES
    signing_secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    url_ttl: int = 900  # seconds a download URL stays valid by default
    url_max_ttl: int = 7 * 24 * 3600
    public_url: str = ""  # base of download URLs; empty: the request's own base URL
    tenant_quota_bytes: int = 1024 * 1024 * 1024  # bytes each tenant may keep; 0: no quota

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> FilesConfig:
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("DATA_DIR", "data"))
        backend = env.get("FILES_BACKEND", "local").strip().lower() or "local"
        if backend not in {"local", "s3"}:
            raise ValueError(f"FILES_BACKEND must be local or s3, not {backend!r}")
        types = env.get("FILES_ALLOWED_TYPES", "")
        secret = env.get("FILES_SIGNING_SECRET", "")
        return cls(
            root=Path(env.get("FILES_DIR", "") or data_dir / "files"),
            backend=backend,
            s3=_s3(env) if backend == "s3" else None,
            max_bytes=int(env.get("FILES_MAX_BYTES", "") or 10 * 1024 * 1024),
            allowed_types=_types(types) if types.strip() else DEFAULT_ALLOWED_TYPES,
            # without a configured secret, URLs only verify in the process that signed them
            signing_secret=secret.encode() if secret else secrets.token_bytes(32),
            url_ttl=int(env.get("FILES_URL_TTL", "") or 900),
            url_max_ttl=int(env.get("FILES_URL_MAX_TTL", "") or 7 * 24 * 3600),
            public_url=env.get("FILES_PUBLIC_URL", "").rstrip("/"),
            tenant_quota_bytes=int(env.get("FILES_TENANT_QUOTA_BYTES", "") or 1024**3),
        )


def _types(raw: str) -> frozenset[str]:
    return frozenset(t.strip().lower() for t in raw.split(",") if t.strip())


def _s3(env: Mapping[str, str]) -> S3Config:
    bucket = env.get("FILES_S3_BUCKET", "")
    if not bucket:
        raise ValueError("FILES_BACKEND=s3 needs FILES_S3_BUCKET")
    return S3Config(
        bucket=bucket,
        endpoint_url=env.get("FILES_S3_ENDPOINT") or None,
        region=env.get("FILES_S3_REGION", "") or "us-east-1",
        access_key=env.get("FILES_S3_ACCESS_KEY") or None,
        secret_key=env.get("FILES_S3_SECRET_KEY") or None,
        prefix=env.get("FILES_S3_PREFIX", ""),
    )
