"""Login, MFA step, refresh-token rotation with reuse detection, logout, session revocation.

Revoked sessions are collected on the database session (`_PENDING`) and published to Redis by
`publish_revocations` once the transaction committed (subgraphs in other processes refuse
their access tokens; see `subgraphs.kit.auth.revocations`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity.deps import IdentityDeps
from subgraphs.identity.errors import (
    InvalidCredentialsError,
    InvalidInputError,
    InvalidMfaCodeError,
    InvalidTokenError,
    TokenReuseError,
    TooManyAttemptsError,
)
from subgraphs.identity.models import RefreshToken, Session, User, UserKind, UserStatus, aware
from subgraphs.identity.repository import RefreshTokenRepository, SessionRepository, UserRepository
from subgraphs.identity.service.common import Actor, normalize_email, now, permissions_for, record
from subgraphs.identity.service.mfa import check_second_factor, mfa_required
from subgraphs.identity.throttle import login_counters
from subgraphs.identity.tokens import opaque_token, successor_token, token_hash
from subgraphs.kit.context import TenantScope
from subgraphs.kit.ids import TenantId

SESSION_LIFETIME = timedelta(days=30)  # absolute
SESSION_IDLE = timedelta(days=7)  # inactivity
_PENDING = "identity_revoked_sessions"


@dataclass(frozen=True, slots=True)
class AuthResult:
    """Tokens for a user, or an MFA challenge to complete with `verifyMfa`."""

    user: User
    access_token: str | None = None
    expires_at: int | None = None
    refresh_token: str | None = None
    mfa_token: str | None = None
    mfa_enrollment_required: bool = False


async def issue_tokens(
    scope: TenantScope, session: AsyncSession, deps: IdentityDeps, user: User, session_id: uuid.UUID
) -> tuple[str, int, bool]:
    """An access token with the permissions of the user's role *now* (role changes apply on the
    next token). With the tenant requiring MFA and none enrolled, the token carries no
    permission: enough to enrol, nothing else."""
    permissions = await permissions_for(session, user.role)
    enrol = not user.mfa_enabled and await mfa_required(session)
    issued = deps.issuer.access_token(
        tenant_id=scope.tenant_id,
        user_id=user.id,
        roles=[user.role],
        permissions=frozenset() if enrol else permissions,
        session_id=session_id,
        kind="user",
    )
    return issued.token, issued.expires_at, enrol


async def start_session(
    scope: TenantScope, session: AsyncSession, deps: IdentityDeps, user: User, actor: Actor
) -> AuthResult:
    moment = now()
    login = Session(
        id=uuid.uuid4(),
        user_id=user.id,
        created_at=moment,
        last_used_at=moment,
        expires_at=moment + SESSION_LIFETIME,
        ip=actor.ip,
    )
    SessionRepository(session).add(login)
    await session.flush()  # no ORM relationship orders the two inserts
    refresh = opaque_token("rt")
    RefreshTokenRepository(session).add(
        RefreshToken(token_hash=token_hash(refresh), session_id=login.id, created_at=moment)
    )
    user.last_login_at = moment
    await session.flush()
    access, expires_at, enrol = await issue_tokens(scope, session, deps, user, login.id)
    await record(session, "login.succeeded", actor, target=user.id, session_id=str(login.id))
    return AuthResult(user, access, expires_at, refresh, mfa_enrollment_required=enrol)


async def login(
    scope: TenantScope,
    session: AsyncSession,
    deps: IdentityDeps,
    email: str,
    password: str,
    actor: Actor,
) -> AuthResult:
    """Same error, same work (a dummy hash verification) for unknown users, wrong passwords
    and deactivated users; failures count per account and per IP."""
    try:
        address = normalize_email(email)
    except InvalidInputError:
        address = email.strip().lower()[:254]
    counters = login_counters(str(scope.tenant_id), address, actor.ip)
    wait = await deps.throttle.retry_after(counters)
    if wait is not None:
        await record(session, "login.throttled", actor, success=False, email=address)
        raise TooManyAttemptsError(retry_after=wait)
    user = await UserRepository(session).find_by_email(address)
    usable = user is not None and user.status == UserStatus.ACTIVE and user.kind == UserKind.HUMAN
    hashed = user.password_hash if user is not None and usable else None
    if not await deps.hashing.verify(hashed, password):
        await deps.throttle.failure(counters)
        target = user.id if user is not None else None
        await record(session, "login.failed", actor, target=target, success=False, email=address)
        raise InvalidCredentialsError(field="password")
    assert user is not None
    assert hashed is not None
    await deps.throttle.success(counters)
    if deps.hashing.needs_rehash(hashed):
        user.password_hash = await deps.hashing.hash(password)
    if user.mfa_enabled:
        await record(session, "login.mfa_challenged", actor, target=user.id)
        token = deps.issuer.mfa_token(tenant_id=scope.tenant_id, user_id=user.id)
        return AuthResult(user, mfa_token=token)
    return await start_session(scope, session, deps, user, actor)


async def verify_mfa(
    scope: TenantScope,
    session: AsyncSession,
    deps: IdentityDeps,
    mfa_token: str,
    code: str,
    actor: Actor,
) -> AuthResult:
    user_id = deps.issuer.verify_mfa_token(mfa_token, scope.tenant_id)
    user = await UserRepository(session).find_by_id(user_id)
    if user is None or user.status != UserStatus.ACTIVE or user.email is None:
        raise InvalidTokenError(field="mfaToken")
    counters = login_counters(str(scope.tenant_id), user.email, actor.ip)
    wait = await deps.throttle.retry_after(counters)
    if wait is not None:
        raise TooManyAttemptsError(retry_after=wait)
    if not await check_second_factor(session, deps, user, code):
        await deps.throttle.failure(counters)
        await record(session, "mfa.failed", actor, target=user.id, success=False)
        raise InvalidMfaCodeError(field="code")
    await deps.throttle.success(counters)
    return await start_session(scope, session, deps, user, Actor(user.id, actor.ip))


async def refresh(
    scope: TenantScope, session: AsyncSession, deps: IdentityDeps, token: str, actor: Actor
) -> AuthResult:
    """Rotate: the presented token is superseded by its successor. Presenting a superseded
    token again within `deps.refresh_grace_seconds` of its rotation (two tabs refreshing at
    once) returns that same successor; later, it means the token leaked (or was replayed):
    the whole family is revoked and audited."""
    tokens, sessions = RefreshTokenRepository(session), SessionRepository(session)
    row = await tokens.find_by_hash(token_hash(token))
    if row is None:
        raise InvalidTokenError(field="refreshToken")
    login = await sessions.find_by_id(row.session_id)
    if login is None or login.revoked_at is not None:
        raise InvalidTokenError(field="refreshToken")
    moment = now()
    claimed = row.superseded_at is None and await tokens.claim(row.id, moment)
    if not claimed:
        again = await _within_grace(scope, session, deps, login, row, token, moment)
        if again is not None:
            return again
        await _revoke(session, deps, login, moment, "refresh_token_reuse")
        await record(
            session, "token.reuse_detected", Actor(login.user_id, actor.ip),
            target=login.user_id, success=False, session_id=str(login.id),
        )  # fmt: skip
        raise TokenReuseError(field="refreshToken")
    expired = aware(login.expires_at) <= moment
    if expired or aware(login.last_used_at) + SESSION_IDLE <= moment:
        await _revoke(session, deps, login, moment, "expired")
        raise InvalidTokenError(field="refreshToken")
    user = await UserRepository(session).find_by_id(login.user_id)
    if user is None or user.status != UserStatus.ACTIVE:
        raise InvalidTokenError(field="refreshToken")
    new = successor_token(deps.refresh_key, token)
    tokens.add(RefreshToken(token_hash=token_hash(new), session_id=login.id, created_at=moment))
    login.last_used_at = moment
    await session.flush()
    access, expires_at, enrol = await issue_tokens(scope, session, deps, user, login.id)
    return AuthResult(user, access, expires_at, new, mfa_enrollment_required=enrol)


async def _within_grace(
    scope: TenantScope,
    session: AsyncSession,
    deps: IdentityDeps,
    login: Session,
    row: RefreshToken,
    token: str,
    moment: datetime,
) -> AuthResult | None:
    """The successor again, when `token` was rotated less than the grace window ago into the
    successor this service derives from it (same session); None otherwise (reuse)."""
    superseded_at = await RefreshTokenRepository(session).superseded_at(row.id)
    if superseded_at is None or deps.refresh_grace_seconds <= 0:
        return None
    if aware(superseded_at) + timedelta(seconds=deps.refresh_grace_seconds) < moment:
        return None
    successor = successor_token(deps.refresh_key, token)
    found = await RefreshTokenRepository(session).find_by_hash(token_hash(successor))
    if found is None or found.session_id != login.id:
        return None  # rotated by an older release (random successor): plain reuse rules
    if aware(login.expires_at) <= moment:
        return None
    user = await UserRepository(session).find_by_id(login.user_id)
    if user is None or user.status != UserStatus.ACTIVE:
        return None
    access, expires_at, enrol = await issue_tokens(scope, session, deps, user, login.id)
    return AuthResult(user, access, expires_at, successor, mfa_enrollment_required=enrol)


async def _revoke(
    session: AsyncSession, deps: IdentityDeps, login: Session, moment: object, reason: str
) -> None:
    login.revoked_at = moment  # type: ignore[assignment]
    login.revoke_reason = reason
    deps.sessions_cache.forget(str(login.id))
    _revoked(session, [login.id])


def _revoked(session: AsyncSession, session_ids: list[uuid.UUID]) -> None:
    pending: set[str] = session.sync_session.info.setdefault(_PENDING, set())
    pending.update(str(session_id) for session_id in session_ids)


async def publish_revocations(
    session: AsyncSession, deps: IdentityDeps, tenant_id: TenantId
) -> None:
    """After the commit: announce the sessions revoked in it to other processes."""
    pending: set[str] | None = session.sync_session.info.pop(_PENDING, None)
    if pending and deps.revocations is not None:
        await deps.revocations.publish(tenant_id, pending)


async def logout(session: AsyncSession, deps: IdentityDeps, token: str, actor: Actor) -> None:
    """Revoke the session of a refresh token; unknown tokens are ignored (idempotent)."""
    row = await RefreshTokenRepository(session).find_by_hash(token_hash(token))
    if row is None:
        return
    login = await SessionRepository(session).find_by_id(row.session_id)
    if login is not None and login.revoked_at is None:
        await _revoke(session, deps, login, now(), "logout")
        await record(session, "logout", Actor(login.user_id, actor.ip), target=login.user_id)
        await session.flush()


async def revoke_all_sessions(
    session: AsyncSession, deps: IdentityDeps, user_id: uuid.UUID, actor: Actor, reason: str
) -> int:
    sessions = SessionRepository(session)
    live = await sessions.list_live_ids(user_id)
    count = await sessions.revoke_for_user(user_id, now(), reason)
    for session_id in live:
        deps.sessions_cache.forget(str(session_id))
    _revoked(session, list(live))
    await record(session, "sessions.revoked", actor, target=user_id, count=count, reason=reason)
    return count
