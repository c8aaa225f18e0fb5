"""API keys: created for the caller or a service account, scoped, expiring, revocable."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity.errors import ApiKeyNotFoundError, InvalidInputError, UserNotFoundError
from subgraphs.identity.models import ApiKey, UserKind, UserStatus, aware
from subgraphs.identity.permissions import unknown_permissions
from subgraphs.identity.repository import ApiKeyRepository, Keyset
from subgraphs.identity.service.common import Actor, get_user, now, permissions_for, record
from subgraphs.kit.auth.api_keys import generate_api_key, hash_api_key
from subgraphs.kit.auth.errors import ForbiddenError
from subgraphs.kit.auth.principal import Principal, PrincipalKind
from subgraphs.kit.ids import TenantId

TOUCH_INTERVAL = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class CreatedApiKey:
    api_key: ApiKey
    secret: str  # shown once


async def create_api_key(
    session: AsyncSession,
    principal: Principal,
    *,
    name: str,
    scopes: Sequence[str],
    expires_in_days: int | None,
    owner_id: uuid.UUID | None,
    actor: Actor,
) -> CreatedApiKey:
    """Scopes must be a subset of what the caller may do: keys never escalate."""
    unknown = unknown_permissions(scopes)
    if unknown or not scopes:
        reason = f"unknown {', '.join(unknown)}" if unknown else "name at least one permission"
        raise InvalidInputError(field="scopes", what="scopes", reason=reason)
    if not set(scopes) <= principal.permissions:
        raise ForbiddenError(permission=" ".join(sorted(set(scopes) - principal.permissions)))
    owner = await get_user(session, owner_id or principal.user_id)
    if owner_id is not None and owner.kind != UserKind.SERVICE:
        raise UserNotFoundError(field="serviceAccountId")
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise InvalidInputError(field="expiresInDays", what="expiry", reason="1 to 3650 days")
    secret = generate_api_key()
    moment = now()
    key = ApiKey(
        id=uuid.uuid4(),
        name=name.strip()[:200] or "API key",
        key_hash=hash_api_key(secret),
        display_prefix=secret[:12],
        owner_id=owner.id,
        scopes=" ".join(sorted(set(scopes))),
        created_by=principal.user_id,
        created_at=moment,
        expires_at=moment + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    ApiKeyRepository(session).add(key)
    await session.flush()
    await record(session, "api_key.created", actor, target=key.id, owner=str(owner.id))
    return CreatedApiKey(key, secret)


async def revoke_api_key(session: AsyncSession, key_id: uuid.UUID, actor: Actor) -> ApiKey:
    key = await ApiKeyRepository(session).find_by_id(key_id)
    if key is None:
        raise ApiKeyNotFoundError(field="id")
    if key.revoked_at is None:
        key.revoked_at = now()
        await session.flush()
        await record(session, "api_key.revoked", actor, target=key.id)
    return key


async def list_api_keys(
    session: AsyncSession, *, after: Keyset | None, size: int
) -> Sequence[ApiKey]:
    return await ApiKeyRepository(session).list_page(after=after, limit=size + 1)


async def resolve_api_key(session: AsyncSession, tenant_id: TenantId, key: str) -> Principal | None:
    """The principal of a live key: its scopes narrowed to its owner's current permissions."""
    keys = ApiKeyRepository(session)
    found = await keys.find_by_hash(hash_api_key(key))
    moment = now()
    if found is None or found.revoked_at is not None:
        return None
    if found.expires_at is not None and aware(found.expires_at) <= moment:
        return None
    owner = await get_user(session, found.owner_id)
    if owner.status != UserStatus.ACTIVE:
        return None
    allowed = await permissions_for(session, owner.role)
    if found.last_used_at is None or aware(found.last_used_at) + TOUCH_INTERVAL <= moment:
        await keys.touch(found.id, moment)
    kind = PrincipalKind.SERVICE if owner.kind == UserKind.SERVICE else PrincipalKind.API_KEY
    return Principal(
        tenant_id=tenant_id,
        user_id=owner.id,
        kind=kind,
        roles=(owner.role,),
        permissions=frozenset(found.scopes.split()) & allowed,
        credential_id=str(found.id),
    )
