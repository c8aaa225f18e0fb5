"""Sign-up of the first owner, invitations, profiles, (de)activation, roles of users."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity.deps import IdentityDeps
from subgraphs.identity.errors import (
    EmailTakenError,
    InvalidTokenError,
    LastOwnerError,
    TenantHasUsersError,
    UserNotFoundError,
)
from subgraphs.identity.events import CREATED, UPDATED, user_changed
from subgraphs.identity.mailer import EmailMessage
from subgraphs.identity.models import (
    Invitation,
    Membership,
    Setting,
    User,
    UserKind,
    UserStatus,
    aware,
)
from subgraphs.identity.passwords import check_password_policy
from subgraphs.identity.permissions import OWNER
from subgraphs.identity.repository import InvitationRepository, UserRepository
from subgraphs.identity.service.common import (
    Actor,
    get_user,
    normalize_email,
    now,
    record,
    require_role,
    validate_locale,
    validate_name,
    validate_timezone,
    validate_url,
)
from subgraphs.identity.service.sessions import AuthResult, revoke_all_sessions, start_session
from subgraphs.identity.tokens import opaque_token, token_hash
from subgraphs.kit.auth.errors import ForbiddenError
from subgraphs.kit.auth.principal import Principal
from subgraphs.kit.context import TenantScope

INVITATION_LIFETIME = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class ProfileChange:
    name: str | None = None
    avatar_url: str | None = None
    timezone: str | None = None
    locale: str | None = None


async def _new_user(
    session: AsyncSession, deps: IdentityDeps, email: str, name: str, password: str, role: str
) -> User:
    check_password_policy(password, email)
    users = UserRepository(session)
    if await users.find_by_email(email) is not None:
        raise EmailTakenError(field="email")
    user = User(id=uuid.uuid4(), email=email, name=validate_name(name))
    user.password_hash = await deps.hashing.hash(password)
    users.add(user)
    session.add(Membership(user_id=user.id, role=role))
    await session.flush()
    created = await get_user(session, user.id)
    user_changed(session, created, CREATED)
    return created


async def sign_up(
    scope: TenantScope,
    session: AsyncSession,
    deps: IdentityDeps,
    email: str,
    name: str,
    password: str,
    actor: Actor,
) -> AuthResult:
    """The first owner of a fresh tenant; refused once the tenant has any user."""
    address = normalize_email(email)
    if await UserRepository(session).count() > 0:
        raise TenantHasUsersError()
    # a unique row makes two concurrent sign-ups produce one owner
    session.add(Setting(key="owner_bootstrapped", value=address))
    try:
        await session.flush()
    except IntegrityError as exc:
        raise TenantHasUsersError() from exc
    user = await _new_user(session, deps, address, name, password, OWNER)
    await record(session, "user.signed_up", Actor(user.id, actor.ip), target=user.id)
    return await start_session(scope, session, deps, user, Actor(user.id, actor.ip))


async def invite_user(
    scope: TenantScope,
    session: AsyncSession,
    deps: IdentityDeps,
    principal: Principal,
    email: str,
    role: str,
    actor: Actor,
) -> Invitation:
    address = normalize_email(email)
    await require_role(session, role)
    if role == OWNER and OWNER not in principal.roles:
        raise ForbiddenError(permission="owner")
    if await UserRepository(session).find_by_email(address) is not None:
        raise EmailTakenError(field="email")
    token = opaque_token("inv")
    invitation = Invitation(
        email=address,
        role=role,
        token_hash=token_hash(token),
        invited_by=principal.user_id,
        expires_at=now() + INVITATION_LIFETIME,
    )
    InvitationRepository(session).add(invitation)
    await session.flush()
    link = f"{deps.public_url}/accept-invitation?tenant={scope.tenant_id}&token={token}"
    await deps.mailer.send(
        EmailMessage(
            to=address,
            subject=f"You are invited to {scope.slug}",
            body=f"Accept the invitation (valid 7 days): {link}",
            kind="invitation",
            token=token,
        ),
        session,
    )
    await record(session, "invitation.created", actor, target=invitation.id, role=role)
    return invitation


async def accept_invitation(
    scope: TenantScope,
    session: AsyncSession,
    deps: IdentityDeps,
    token: str,
    name: str,
    password: str,
    actor: Actor,
) -> AuthResult:
    invitation = await InvitationRepository(session).find_by_token_hash(token_hash(token))
    moment = now()
    if invitation is None or invitation.accepted_at is not None:
        raise InvalidTokenError(field="token")
    if aware(invitation.expires_at) <= moment:
        raise InvalidTokenError(field="token")
    user = await _new_user(session, deps, invitation.email, name, password, invitation.role)
    invitation.accepted_at = moment
    await record(session, "invitation.accepted", Actor(user.id, actor.ip), target=user.id)
    return await start_session(scope, session, deps, user, Actor(user.id, actor.ip))


async def update_profile(session: AsyncSession, user_id: uuid.UUID, change: ProfileChange) -> User:
    user = await get_user(session, user_id)
    if change.name is not None:
        user.name = validate_name(change.name)
    if change.avatar_url is not None:
        user.avatar_url = validate_url(change.avatar_url)
    if change.timezone is not None:
        user.timezone = validate_timezone(change.timezone)
    if change.locale is not None:
        user.locale = validate_locale(change.locale)
    await session.flush()
    user_changed(session, user, UPDATED)
    return user


async def _keep_an_owner(session: AsyncSession, user: User) -> None:
    if user.role != OWNER or user.status != UserStatus.ACTIVE:
        return
    if await UserRepository(session).count_active_with_role(OWNER) <= 1:
        raise LastOwnerError(field="id")


async def set_user_status(
    session: AsyncSession, deps: IdentityDeps, user_id: uuid.UUID, active: bool, actor: Actor
) -> User:
    """Deactivation revokes every session of the user at once (tokens die with them)."""
    user = await get_user(session, user_id)
    wanted = UserStatus.ACTIVE if active else UserStatus.DEACTIVATED
    if user.status == wanted:
        return user
    if not active:
        await _keep_an_owner(session, user)
        await revoke_all_sessions(session, deps, user.id, actor, "deactivated")
    user.status = wanted.value
    user_changed(session, user, UPDATED)  # a deactivation when the status says so
    await record(
        session, f"user.{'reactivated' if active else 'deactivated'}", actor, target=user.id
    )
    return user


async def change_role(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, role: str, actor: Actor
) -> User:
    """Takes effect with the user's next access token."""
    user = await get_user(session, user_id)
    await require_role(session, role)
    if OWNER in (role, user.role) and OWNER not in principal.roles:
        raise ForbiddenError(permission="owner")
    previous = user.role
    if previous == role:
        return user
    if previous == OWNER:
        await _keep_an_owner(session, user)
    user.membership.role = role
    await session.flush()
    await record(session, "role.changed", actor, target=user.id, previous=previous, role=role)
    return user


async def create_service_account(session: AsyncSession, name: str, role: str, actor: Actor) -> User:
    await require_role(session, role)
    if role == OWNER:
        raise ForbiddenError(permission="owner")
    user = User(id=uuid.uuid4(), name=validate_name(name), kind=UserKind.SERVICE.value)
    UserRepository(session).add(user)
    session.add(Membership(user_id=user.id, role=role))
    await session.flush()
    await record(session, "service_account.created", actor, target=user.id, role=role)
    created = await get_user(session, user.id)
    user_changed(session, created, CREATED)
    return created


async def find_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await UserRepository(session).find_by_id(user_id)
    if user is None:
        raise UserNotFoundError(field="id")
    return user
