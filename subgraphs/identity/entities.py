"""Federation entity resolution: always through a loader, only for an authenticated caller of
the same tenant (the request's scope is the token's tenant)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from subgraphs.identity.loaders import UsersById
from subgraphs.kit.context import SubgraphContext

if TYPE_CHECKING:
    from subgraphs.identity.types import User


async def resolve_user_reference(context: SubgraphContext[Any], id: str) -> User | None:
    from subgraphs.identity.types import User

    context.require_principal()
    try:
        key = uuid.UUID(id)
    except ValueError:
        return None
    user = await context.loaders.get(UsersById).load(key)
    return User.of(user) if user is not None else None
