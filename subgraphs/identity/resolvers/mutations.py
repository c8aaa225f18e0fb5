"""Mutations of the identity subgraph: public ones act on the tenant the request names,
the others need a verified caller (and a permission)."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity.errors import ApiKeyNotFoundError, UserNotFoundError
from subgraphs.identity.resolvers.common import actor, authorized, parse_id, public
from subgraphs.identity.resolvers.operators import OperatorMutations
from subgraphs.identity.service import accounts, api_keys, credentials, mfa, roles, sessions
from subgraphs.identity.service.common import get_user
from subgraphs.identity.types import (
    ApiKeyPayload,
    AuthPayload,
    Ctx,
    InvitationPayload,
    OkPayload,
    RecoveryCodesPayload,
    RolePayload,
    SecurityPolicyPayload,
    TotpEnrollmentPayload,
    UserPayload,
)
from subgraphs.kit.auth.principal import Principal


@strawberry.type
class Mutation(OperatorMutations):
    # -- public: the tenant comes from the request (X-Tenant-ID / host), no credential ------

    @strawberry.mutation
    async def sign_up(self, info: Ctx, email: str, name: str, password: str) -> AuthPayload:
        deps, who = info.context.deps, actor(info)
        return AuthPayload.of(
            await public(
                info, lambda s, db: accounts.sign_up(s, db, deps, email, name, password, who)
            )
        )

    @strawberry.mutation
    async def login(self, info: Ctx, email: str, password: str) -> AuthPayload:
        deps, who = info.context.deps, actor(info)
        return AuthPayload.of(
            await public(info, lambda s, db: sessions.login(s, db, deps, email, password, who))
        )

    @strawberry.mutation
    async def verify_mfa(self, info: Ctx, mfa_token: str, code: str) -> AuthPayload:
        deps, who = info.context.deps, actor(info)
        return AuthPayload.of(
            await public(info, lambda s, db: sessions.verify_mfa(s, db, deps, mfa_token, code, who))
        )

    @strawberry.mutation
    async def refresh_token(self, info: Ctx, refresh_token: str) -> AuthPayload:
        deps, who = info.context.deps, actor(info)
        return AuthPayload.of(
            await public(info, lambda s, db: sessions.refresh(s, db, deps, refresh_token, who))
        )

    @strawberry.mutation
    async def logout(self, info: Ctx, refresh_token: str) -> OkPayload:
        deps, who = info.context.deps, actor(info)
        return OkPayload.of(
            await public(info, lambda _, db: sessions.logout(db, deps, refresh_token, who))
        )

    @strawberry.mutation
    async def accept_invitation(
        self, info: Ctx, token: str, name: str, password: str
    ) -> AuthPayload:
        deps, who = info.context.deps, actor(info)
        return AuthPayload.of(
            await public(
                info,
                lambda s, db: accounts.accept_invitation(s, db, deps, token, name, password, who),
            )
        )

    @strawberry.mutation
    async def request_password_reset(self, info: Ctx, email: str) -> OkPayload:
        deps, who = info.context.deps, actor(info)
        return OkPayload.of(
            await public(
                info, lambda s, db: credentials.request_password_reset(s, db, deps, email, who)
            )
        )

    @strawberry.mutation
    async def reset_password(self, info: Ctx, token: str, password: str) -> OkPayload:
        deps, who = info.context.deps, actor(info)
        return OkPayload.of(
            await public(
                info, lambda _, db: credentials.reset_password(db, deps, token, password, who)
            )
        )

    # -- the caller's own account ---------------------------------------------------------

    @strawberry.mutation
    async def update_profile(
        self,
        info: Ctx,
        name: str | None = None,
        avatar_url: str | None = None,
        timezone: str | None = None,
        locale: str | None = None,
    ) -> UserPayload:
        change = accounts.ProfileChange(name, avatar_url, timezone, locale)
        return UserPayload.of(
            await authorized(
                info, None, lambda db, p: accounts.update_profile(db, p.user_id, change)
            )
        )

    @strawberry.mutation
    async def change_password(
        self, info: Ctx, current_password: str, new_password: str
    ) -> OkPayload:
        deps, who = info.context.deps, actor(info)
        return OkPayload.of(
            await authorized(
                info,
                None,
                lambda db, p: credentials.change_password(
                    db, deps, p.user_id, current_password, new_password, who
                ),
            )
        )

    @strawberry.mutation
    async def revoke_all_sessions(
        self, info: Ctx, user_id: strawberry.ID | None = None
    ) -> OkPayload:
        deps, who = info.context.deps, actor(info)
        permission = "users:manage" if user_id is not None else None

        async def work(db: AsyncSession, principal: Principal) -> int:
            target = parse_id(user_id, UserNotFoundError) if user_id else principal.user_id
            await get_user(db, target)
            return await sessions.revoke_all_sessions(db, deps, target, who, "revoke_all")

        return OkPayload.of(await authorized(info, permission, work))

    @strawberry.mutation
    async def enroll_totp(self, info: Ctx) -> TotpEnrollmentPayload:
        deps = info.context.deps

        async def work(db: AsyncSession, principal: Principal) -> mfa.TotpEnrollment:
            return await mfa.enroll_totp(db, deps, await get_user(db, principal.user_id))

        return TotpEnrollmentPayload.of(await authorized(info, None, work))

    @strawberry.mutation
    async def confirm_totp(self, info: Ctx, code: str) -> RecoveryCodesPayload:
        deps, who = info.context.deps, actor(info)

        async def work(db: AsyncSession, principal: Principal) -> list[str]:
            user = await get_user(db, principal.user_id)
            return await mfa.confirm_totp(db, deps, user, code, who)

        return RecoveryCodesPayload.of(await authorized(info, None, work))

    # -- administration ---------------------------------------------------------------------

    @strawberry.mutation
    async def invite_user(self, info: Ctx, email: str, role: str = "member") -> InvitationPayload:
        deps, who, scope = info.context.deps, actor(info), info.context.require_scope()
        return InvitationPayload.of(
            await authorized(
                info,
                "users:manage",
                lambda db, p: accounts.invite_user(scope, db, deps, p, email, role, who),
            )
        )

    @strawberry.mutation
    async def deactivate_user(self, info: Ctx, id: strawberry.ID) -> UserPayload:
        return await _set_status(info, id, active=False)

    @strawberry.mutation
    async def reactivate_user(self, info: Ctx, id: strawberry.ID) -> UserPayload:
        return await _set_status(info, id, active=True)

    @strawberry.mutation
    async def change_user_role(self, info: Ctx, id: strawberry.ID, role: str) -> UserPayload:
        who = actor(info)
        return UserPayload.of(
            await authorized(
                info,
                "users:manage",
                lambda db, p: accounts.change_role(
                    db, p, parse_id(id, UserNotFoundError), role, who
                ),
            )
        )

    @strawberry.mutation
    async def create_service_account(
        self, info: Ctx, name: str, role: str = "viewer"
    ) -> UserPayload:
        who = actor(info)
        return UserPayload.of(
            await authorized(
                info,
                "users:manage",
                lambda db, _: accounts.create_service_account(db, name, role, who),
            )
        )

    @strawberry.mutation
    async def create_role(
        self, info: Ctx, name: str, permissions: list[str], description: str = ""
    ) -> RolePayload:
        who = actor(info)
        return RolePayload.of(
            await authorized(
                info,
                "roles:manage",
                lambda db, _: roles.create_role(db, name, permissions, description, who),
            )
        )

    @strawberry.mutation
    async def delete_role(self, info: Ctx, name: str) -> OkPayload:
        who = actor(info)
        return OkPayload.of(
            await authorized(info, "roles:manage", lambda db, _: roles.delete_role(db, name, who))
        )

    @strawberry.mutation
    async def create_api_key(
        self,
        info: Ctx,
        name: str,
        scopes: list[str],
        expires_in_days: int | None = None,
        service_account_id: strawberry.ID | None = None,
    ) -> ApiKeyPayload:
        who = actor(info)
        owner = parse_id(service_account_id, UserNotFoundError) if service_account_id else None
        return ApiKeyPayload.of(
            await authorized(
                info,
                "api_keys:manage",
                lambda db, p: api_keys.create_api_key(
                    db,
                    p,
                    name=name,
                    scopes=scopes,
                    expires_in_days=expires_in_days,
                    owner_id=owner,
                    actor=who,
                ),
            )
        )

    @strawberry.mutation
    async def revoke_api_key(self, info: Ctx, id: strawberry.ID) -> ApiKeyPayload:
        who = actor(info)
        return ApiKeyPayload.of(
            await authorized(
                info,
                "api_keys:manage",
                lambda db, _: api_keys.revoke_api_key(db, parse_id(id, ApiKeyNotFoundError), who),
            )
        )

    @strawberry.mutation
    async def set_mfa_required(self, info: Ctx, required: bool) -> SecurityPolicyPayload:
        who = actor(info)
        return SecurityPolicyPayload.of(
            await authorized(
                info, "settings:manage", lambda db, _: mfa.set_mfa_required(db, required, who)
            )
        )


async def _set_status(info: Ctx, raw_id: str, *, active: bool) -> UserPayload:
    deps, who = info.context.deps, actor(info)
    return UserPayload.of(
        await authorized(
            info,
            "users:manage",
            lambda db, _: accounts.set_user_status(
                db, deps, parse_id(raw_id, UserNotFoundError), active, who
            ),
        )
    )
