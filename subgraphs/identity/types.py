"""GraphQL shape of the identity subgraph."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import Enum

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from subgraphs.identity import models
from subgraphs.identity.deps import IdentityDeps
from subgraphs.identity.service.api_keys import CreatedApiKey
from subgraphs.identity.service.mfa import TotpEnrollment
from subgraphs.identity.service.roles import RoleView
from subgraphs.identity.service.sessions import AuthResult
from subgraphs.kit.context import SubgraphContext
from subgraphs.kit.payloads import UserError

Ctx = Info[SubgraphContext[IdentityDeps], None]


@strawberry.enum(name="UserStatus")
class UserStatus(Enum):
    ACTIVE = "ACTIVE"
    DEACTIVATED = "DEACTIVATED"


@strawberry.enum(name="UserKind")
class UserKind(Enum):
    HUMAN = "HUMAN"
    SERVICE = "SERVICE"


@strawberry.federation.type(name="User", keys=["id"])
class User:
    id: strawberry.ID
    email: str | None
    name: str
    avatar_url: str | None
    timezone: str
    locale: str
    status: UserStatus
    kind: UserKind
    role: str
    mfa_enabled: bool
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    async def resolve_reference(cls, info: Ctx, id: strawberry.ID) -> User | None:
        from subgraphs.identity.entities import resolve_user_reference

        return await resolve_user_reference(info.context, id)

    @classmethod
    def of(cls, user: models.User) -> User:
        return cls(
            id=strawberry.ID(str(user.id)),
            email=user.email,
            name=user.name,
            avatar_url=user.avatar_url,
            timezone=user.timezone,
            locale=user.locale,
            status=UserStatus(user.status),
            kind=UserKind(user.kind),
            role=user.role,
            mfa_enabled=user.mfa_enabled,
            created_at=user.created_at,
            last_login_at=user.last_login_at,
        )


@strawberry.type(name="Role")
class Role:
    name: str
    description: str
    permissions: list[str]
    builtin: bool

    @classmethod
    def of(cls, role: RoleView) -> Role:
        return cls(
            name=role.name,
            description=role.description,
            permissions=sorted(role.permissions),
            builtin=role.builtin,
        )


@strawberry.type(name="Invitation")
class Invitation:
    id: strawberry.ID
    email: str
    role: str
    expires_at: datetime
    accepted_at: datetime | None

    @classmethod
    def of(cls, invitation: models.Invitation) -> Invitation:
        return cls(
            id=strawberry.ID(str(invitation.id)),
            email=invitation.email,
            role=invitation.role,
            expires_at=invitation.expires_at,
            accepted_at=invitation.accepted_at,
        )


@strawberry.type(name="ApiKey")
class ApiKey:
    id: strawberry.ID
    name: str
    prefix: str = strawberry.field(description="First characters of the key, to recognise it.")
    owner_id: strawberry.ID
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, key: models.ApiKey) -> ApiKey:
        return cls(
            id=strawberry.ID(str(key.id)),
            name=key.name,
            prefix=key.display_prefix,
            owner_id=strawberry.ID(str(key.owner_id)),
            scopes=key.scopes.split(),
            created_at=key.created_at,
            expires_at=key.expires_at,
            revoked_at=key.revoked_at,
            last_used_at=key.last_used_at,
        )


@strawberry.type(name="AuditEvent")
class AuditEvent:
    id: strawberry.ID
    at: datetime
    action: str
    success: bool
    actor_id: strawberry.ID | None
    target_id: str | None
    ip: str | None
    detail: JSON

    @classmethod
    def of(cls, event: models.AuditEvent) -> AuditEvent:
        return cls(
            id=strawberry.ID(str(event.id)),
            at=event.at,
            action=event.action,
            success=event.success,
            actor_id=strawberry.ID(str(event.actor_id)) if event.actor_id else None,
            target_id=event.target_id,
            ip=event.ip,
            detail=json.loads(event.detail),
        )


@strawberry.type
class SecurityPolicy:
    mfa_required: bool


@strawberry.type
class AuthPayload:
    """Tokens (`accessToken`, `refreshToken`), or `mfaRequired` with an `mfaToken` to send to
    `verifyMfa` with a code."""

    access_token: str | None = None
    token_type: str = "Bearer"
    expires_at: datetime | None = None
    refresh_token: str | None = None
    mfa_required: bool = False
    mfa_token: str | None = None
    mfa_enrollment_required: bool = False
    user: User | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, result: AuthResult | list[UserError]) -> AuthPayload:
        if isinstance(result, list):
            return cls(user_errors=result)
        expires = datetime.fromtimestamp(result.expires_at, UTC) if result.expires_at else None
        return cls(
            access_token=result.access_token,
            expires_at=expires,
            refresh_token=result.refresh_token,
            mfa_required=result.mfa_token is not None,
            mfa_token=result.mfa_token,
            mfa_enrollment_required=result.mfa_enrollment_required,
            user=User.of(result.user),
        )


@strawberry.type
class OkPayload:
    ok: bool = False
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, result: object) -> OkPayload:
        if isinstance(result, list):
            return cls(user_errors=result)
        return cls(ok=True)


@strawberry.type
class UserPayload:
    user: User | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, result: models.User | list[UserError]) -> UserPayload:
        if isinstance(result, list):
            return cls(user_errors=result)
        return cls(user=User.of(result))


@strawberry.type
class InvitationPayload:
    invitation: Invitation | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, result: models.Invitation | list[UserError]) -> InvitationPayload:
        if isinstance(result, list):
            return cls(user_errors=result)
        return cls(invitation=Invitation.of(result))


@strawberry.type
class RolePayload:
    role: Role | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, result: RoleView | list[UserError]) -> RolePayload:
        if isinstance(result, list):
            return cls(user_errors=result)
        return cls(role=Role.of(result))


@strawberry.type
class ApiKeyPayload:
    api_key: ApiKey | None = None
    secret: str | None = strawberry.field(
        default=None, description="The key itself: shown once, store it now."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, result: CreatedApiKey | models.ApiKey | list[UserError]) -> ApiKeyPayload:
        if isinstance(result, list):
            return cls(user_errors=result)
        if isinstance(result, CreatedApiKey):
            return cls(api_key=ApiKey.of(result.api_key), secret=result.secret)
        return cls(api_key=ApiKey.of(result))


@strawberry.type
class TotpEnrollmentPayload:
    secret: str | None = None
    otpauth_uri: str | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, result: TotpEnrollment | list[UserError]) -> TotpEnrollmentPayload:
        if isinstance(result, list):
            return cls(user_errors=result)
        return cls(secret=result.secret, otpauth_uri=result.otpauth_uri)


@strawberry.type
class RecoveryCodesPayload:
    recovery_codes: list[str] = strawberry.field(default_factory=list)
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, result: list[str] | list[UserError]) -> RecoveryCodesPayload:
        errors = [e for e in result if isinstance(e, UserError)]
        if errors:
            return cls(user_errors=errors)
        return cls(recovery_codes=[c for c in result if isinstance(c, str)])


@strawberry.type
class SecurityPolicyPayload:
    policy: SecurityPolicy | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, result: bool | list[UserError]) -> SecurityPolicyPayload:
        if isinstance(result, list):
            return cls(user_errors=result)
        return cls(policy=SecurityPolicy(mfa_required=result))


@strawberry.type(name="PlatformOperator")
class Operator:
    """A platform operator (administers tenants; belongs to none)."""

    id: strawberry.ID
    email: str
    mfa_enabled: bool


@strawberry.type
class OperatorLoginPayload:
    """An operator token (`typ` `op+jwt`, 15 minutes): only the tenants subgraph's
    administrative operations accept it; no tenant operation does."""

    access_token: str | None = None
    token_type: str = "Bearer"
    expires_at: datetime | None = None
    operator: Operator | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
