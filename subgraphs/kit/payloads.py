"""Mutation payloads: `{ <result>, userErrors { field message code } }`."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

from subgraphs.kit.context import SubgraphContext
from subgraphs.kit.errors import DomainError
from subgraphs.kit.graphql_errors import UserError

T = TypeVar("T")

__all__ = ["UserError", "guard"]


async def guard(context: SubgraphContext[Any], call: Awaitable[T]) -> T | list[UserError]:
    """Await a service call. A DomainError becomes the payload's `userErrors` and the
    request's write session is rolled back, so nothing is half-written."""
    try:
        return await call
    except DomainError as error:
        context.sessions.rollback_only = True
        return [UserError.of(error)]
