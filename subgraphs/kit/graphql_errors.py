"""DomainErrors at the GraphQL edge: `userErrors` payload members and error masking."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from subgraphs.kit.errors import DomainError, KitErrorCode

logger = logging.getLogger("subgraphs.errors")

__all__ = ["KitErrorsExtension", "UserError"]


@strawberry.federation.type(shareable=True, description="An expected failure of a mutation.")
class UserError:
    field: str | None
    message: str
    code: str

    @classmethod
    def of(cls, error: DomainError) -> UserError:
        return cls(field=error.field, message=str(error), code=error.code_name)


def _should_mask(error: GraphQLError) -> bool:
    return error.original_error is not None


class KitErrorsExtension(MaskErrors):
    """DomainErrors keep their message and gain `extensions.code`; the rest are masked."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_should_mask, error_message="Internal server error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, DomainError):
            return GraphQLError(
                message=str(original),
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                original_error=None,
                extensions={"code": original.code_name},
            )
        context = self.execution_context.context
        request_id = getattr(context, "request_id", None)
        logger.error(
            "unexpected error (request %s) at %s",
            request_id,
            error.path,
            exc_info=original,
        )
        masked = super().anonymise_error(error)
        masked.extensions = {"code": KitErrorCode.INTERNAL.value, "requestId": request_id}
        return masked
