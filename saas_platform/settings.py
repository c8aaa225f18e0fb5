"""Process settings, read once from the environment.

Every variable is documented in docs/tenancy.md (configuration table). Unset `DATABASE_URL`
selects the embedded default: SQLite files under `DATA_DIR` (`control.db` and
`tenants/<tenant_id>.db`); unset `REDIS_URL` selects in-memory pub/sub and caches.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

_TRUE = {"1", "true", "yes", "on"}


def normalize_database_url(url: str) -> str:
    """`postgresql://` and `postgres://` URLs get the asyncpg driver; others pass unchanged."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    return parsed.render_as_string(hide_password=False)


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str | None = None
    data_dir: Path = field(default_factory=lambda: Path("data"))
    redis_url: str | None = None
    connection_budget: int = 40
    tenant_pool_size: int = 2
    tenant_max_overflow: int = 0
    control_pool_size: int = 5
    db_connect_timeout: float = 3.0
    db_command_timeout: float = 10.0
    db_pool_timeout: float = 2.0
    tenant_retention_days: int = 30
    tenant_db_prefix: str = "tenant_"
    base_domain: str = "localhost"
    trust_tenant_header: bool = True
    migrate_concurrency: int = 4
    provision_from_template: bool = True
    # not from the environment: tests share one template across isolated environments
    template_db_prefix: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        database_url = env.get("DATABASE_URL") or None
        return cls(
            database_url=normalize_database_url(database_url) if database_url else None,
            data_dir=Path(env.get("DATA_DIR", "data")),
            redis_url=env.get("REDIS_URL") or None,
            connection_budget=int(env.get("CONNECTION_BUDGET", "40")),
            tenant_pool_size=int(env.get("TENANT_POOL_SIZE", "2")),
            tenant_max_overflow=int(env.get("TENANT_MAX_OVERFLOW", "0")),
            control_pool_size=int(env.get("CONTROL_POOL_SIZE", "5")),
            db_connect_timeout=float(env.get("DB_CONNECT_TIMEOUT", "3")),
            db_command_timeout=float(env.get("DB_COMMAND_TIMEOUT", "10")),
            db_pool_timeout=float(env.get("DB_POOL_TIMEOUT", "2")),
            tenant_retention_days=int(env.get("TENANT_RETENTION_DAYS", "30")),
            tenant_db_prefix=env.get("TENANT_DB_PREFIX", "tenant_"),
            base_domain=env.get("BASE_DOMAIN", "localhost"),
            trust_tenant_header=env.get("TRUST_TENANT_HEADER", "true").lower() in _TRUE,
            migrate_concurrency=int(env.get("MIGRATE_CONCURRENCY", "4")),
            provision_from_template=env.get("PROVISION_FROM_TEMPLATE", "true").lower() in _TRUE,
        )

    @property
    def embedded(self) -> bool:
        return self.database_url is None

    @property
    def template_prefix(self) -> str:
        return self.template_db_prefix or self.tenant_db_prefix

    @property
    def control_url(self) -> str:
        if self.database_url is not None:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'control.db').resolve()}"

    @property
    def default_server_url(self) -> str:
        """Placement target registered when the control database lists no server yet.

        PostgreSQL: the control server itself (maintenance database `postgres`); embedded: the
        `DATA_DIR/tenants` folder, one SQLite file per tenant.
        """
        if self.database_url is not None:
            url = make_url(self.database_url).set(database="postgres")
            return url.render_as_string(hide_password=False)
        return f"sqlite+aiosqlite:///{(self.data_dir / 'tenants').resolve()}"
