"""`operatorLogin`: platform operators sign in against the control database."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from subgraphs.identity.resolvers.common import client_ip
from subgraphs.identity.service.operators import operator_login
from subgraphs.identity.types import Ctx, Operator, OperatorLoginPayload
from subgraphs.kit.errors import DomainError
from subgraphs.kit.payloads import UserError


@strawberry.type
class OperatorMutations:
    @strawberry.mutation
    async def operator_login(
        self, info: Ctx, email: str, password: str, totp_code: str | None = None
    ) -> OperatorLoginPayload:
        deps = info.context.deps
        if deps.open_control is None:
            error = UserError(
                field=None, message="Operator sign-in is not configured.", code="NOT_CONFIGURED"
            )
            return OperatorLoginPayload(user_errors=[error])
        async with deps.open_control() as session:
            try:
                result = await operator_login(
                    session, deps, email, password, totp_code, client_ip(info)
                )
            except DomainError as error:
                await session.rollback()
                return OperatorLoginPayload(user_errors=[UserError.of(error)])
            await session.commit()
        operator = result.operator
        return OperatorLoginPayload(
            access_token=result.access_token,
            expires_at=datetime.fromtimestamp(result.expires_at, UTC),
            operator=Operator(
                id=strawberry.ID(str(operator.id)),
                email=operator.email,
                mfa_enabled=operator.mfa_enabled,
            ),
        )
