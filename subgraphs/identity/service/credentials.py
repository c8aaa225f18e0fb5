"""Password change and reset by email (single-use, expiring token)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity.deps import IdentityDeps
from subgraphs.identity.errors import InvalidCredentialsError, InvalidInputError, InvalidTokenError
from subgraphs.identity.mailer import EmailMessage
from subgraphs.identity.models import OneTimeToken, UserKind, UserStatus, aware
from subgraphs.identity.passwords import check_password_policy
from subgraphs.identity.repository import OneTimeTokenRepository, UserRepository
from subgraphs.identity.service.common import Actor, get_user, normalize_email, now, record
from subgraphs.identity.service.sessions import revoke_all_sessions
from subgraphs.identity.tokens import opaque_token, token_hash
from subgraphs.kit.context import TenantScope

RESET_LIFETIME = timedelta(hours=1)
RESET = "password_reset"


async def request_password_reset(
    scope: TenantScope, session: AsyncSession, deps: IdentityDeps, email: str, actor: Actor
) -> None:
    """Always succeeds (no user enumeration); mails a link when the account exists."""
    try:
        address = normalize_email(email)
    except InvalidInputError:
        return
    user = await UserRepository(session).find_by_email(address)
    if user is None or user.status != UserStatus.ACTIVE or user.kind != UserKind.HUMAN:
        return
    tokens = OneTimeTokenRepository(session)
    moment = now()
    await tokens.invalidate(user.id, RESET, moment)
    token = opaque_token("rst")
    tokens.add(
        OneTimeToken(
            purpose=RESET,
            token_hash=token_hash(token),
            user_id=user.id,
            expires_at=moment + RESET_LIFETIME,
        )
    )
    await session.flush()
    link = f"{deps.public_url}/reset-password?tenant={scope.tenant_id}&token={token}"
    await deps.mailer.send(
        EmailMessage(address, "Reset your password", f"Valid one hour: {link}", RESET, token),
        session,
    )
    await record(session, "password.reset_requested", actor, target=user.id)


async def reset_password(
    session: AsyncSession, deps: IdentityDeps, token: str, password: str, actor: Actor
) -> None:
    """Set a new password and end every session of the user."""
    found = await OneTimeTokenRepository(session).find_by_hash(token_hash(token))
    moment = now()
    if found is None or found.purpose != RESET or found.used_at is not None:
        raise InvalidTokenError(field="token")
    if aware(found.expires_at) <= moment:
        raise InvalidTokenError(field="token")
    user = await get_user(session, found.user_id)
    check_password_policy(password, user.email)
    found.used_at = moment
    user.password_hash = await deps.hashing.hash(password)
    await revoke_all_sessions(session, deps, user.id, Actor(user.id, actor.ip), "password_reset")
    await record(session, "password.reset", Actor(user.id, actor.ip), target=user.id)


async def change_password(
    session: AsyncSession,
    deps: IdentityDeps,
    user_id: uuid.UUID,
    current: str,
    new: str,
    actor: Actor,
) -> None:
    user = await get_user(session, user_id)
    if not await deps.hashing.verify(user.password_hash, current):
        raise InvalidCredentialsError(field="currentPassword")
    check_password_policy(new, user.email)
    user.password_hash = await deps.hashing.hash(new)
    await revoke_all_sessions(session, deps, user.id, actor, "password_changed")
    await record(session, "password.changed", actor, target=user.id)
