"""Real access tokens for the events tests' GraphQL calls: identity's key ring and issuer,
verified by the kit's Authenticator installed on the test runtime."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable

from subgraphs.identity.keyring import KeyRing, new_signing_key
from subgraphs.identity.tokens import TokenIssuer
from subgraphs.kit.auth import Authenticator, InProcessKeySource, TokenPolicy
from subgraphs.kit.ids import TenantId

ADMIN = ("webhooks:manage", "users:read")
VIEWER = ("users:read", "tickets:read")


class Tokens:
    def __init__(self) -> None:
        self.ring = KeyRing([new_signing_key(time.time())])
        self.policy = TokenPolicy()
        self.issuer = TokenIssuer(self.ring, self.policy)

    def authenticator(self) -> Authenticator:
        return Authenticator(InProcessKeySource(self.ring.verification_keys), self.policy)

    def token(
        self,
        tenant: TenantId,
        permissions: Iterable[str] = ADMIN,
        user_id: uuid.UUID | None = None,
        kind: str = "user",
    ) -> str:
        issued = self.issuer.access_token(
            tenant_id=tenant,
            user_id=user_id or uuid.uuid4(),
            roles=["admin"],
            permissions=permissions,
            session_id=uuid.uuid4(),
            kind=kind,
        )
        return issued.token

    def headers(self, tenant: TenantId, permissions: Iterable[str] = ADMIN) -> dict[str, str]:
        return {
            "x-tenant-id": str(tenant),
            "authorization": f"Bearer {self.token(tenant, permissions)}",
        }


TOKENS = Tokens()
