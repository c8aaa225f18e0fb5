"""Shared pieces of the tenants tests (imported as `tests.subgraphs.tenants.platform`, never
as `conftest`, so running several test folders at once does not mix conftest modules up)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from subgraphs.identity.deps import IdentityDeps
from subgraphs.kit.runtime import Runtime

GraphQL = Callable[..., Awaitable[dict[str, Any]]]
GraphQLAs = Callable[..., Awaitable[dict[str, Any]]]
OPERATOR_EMAIL = "ops@platform.test"
OPERATOR_PASSWORD = "granite-meadow-compass-77"
OPERATOR_LOGIN = """mutation($email: String!, $password: String!, $code: String) {
  operatorLogin(email: $email, password: $password, totpCode: $code) {
    accessToken expiresAt operator { id email } userErrors { code }
  }
}"""


@dataclass
class Platform:
    runtime: Runtime
    identity: httpx.AsyncClient
    tenants: httpx.AsyncClient
    deps: IdentityDeps
    operator_token: str = ""
