"""Expected failures (DomainErrors) are answered, not logged as incidents with a traceback;
unexpected errors still are (masked for the client)."""

from __future__ import annotations

import logging

import pytest
import strawberry

from subgraphs.kit import build_federated_schema
from subgraphs.kit.auth.errors import ForbiddenError, UnauthenticatedError


@strawberry.type
class Query:
    @strawberry.field
    def anonymous(self) -> str:
        raise UnauthenticatedError()

    @strawberry.field
    def forbidden(self) -> str:
        raise ForbiddenError(permission="tenants:manage")

    @strawberry.field
    def broken(self) -> str:
        raise RuntimeError("secret internals")


SCHEMA = build_federated_schema(query=Query)


@pytest.mark.parametrize(
    ("field", "code"), [("anonymous", "UNAUTHENTICATED"), ("forbidden", "FORBIDDEN")]
)
async def test_domain_errors_are_answered_without_an_error_log(
    field: str, code: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        result = await SCHEMA.execute(f"{{ {field} }}")
    assert result.errors is not None
    assert result.errors[0].extensions == {"code": code}
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_unexpected_errors_are_still_logged_and_masked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG):
        result = await SCHEMA.execute("{ broken }")
    assert result.errors is not None
    assert "secret internals" not in result.errors[0].message
    assert result.errors[0].extensions is not None
    assert result.errors[0].extensions["code"] == "INTERNAL"
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert logged
    assert any(r.exc_info for r in logged)
