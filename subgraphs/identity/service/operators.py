"""Platform operators (control database): creation (CLI) and sign-in.

An operator administers tenants across the platform and belongs to no tenant. Its token is an
`op+jwt` (audience `operator_audience`, no `tid`): accepted only by the tenants subgraph's
administrative operations, refused everywhere else. Same password rules, hashing, uniform
failure and throttling as tenant users; TOTP when the operator has enrolled it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity import totp
from subgraphs.identity.deps import IdentityDeps
from subgraphs.identity.errors import (
    EmailTakenError,
    InvalidCredentialsError,
    InvalidMfaCodeError,
    MfaStateError,
    TooManyAttemptsError,
)
from subgraphs.identity.passwords import HashingService, check_password_policy
from subgraphs.identity.service.common import normalize_email, now
from subgraphs.identity.service.mfa import accept_totp
from subgraphs.identity.throttle import operator_login_counters
from subgraphs.tenants.models import Operator, OperatorStatus
from subgraphs.tenants.repository import OperatorRepository


@dataclass(frozen=True, slots=True)
class OperatorLogin:
    operator: Operator
    access_token: str
    expires_at: int


async def create_operator(
    session: AsyncSession, hashing: HashingService, email: str, password: str
) -> Operator:
    address = normalize_email(email)
    check_password_policy(password, address)
    operators = OperatorRepository(session)
    if await operators.find_by_email(address) is not None:
        raise EmailTakenError(field="email")
    operator = operators.add(
        Operator(
            id=uuid.uuid4(),
            email=address,
            password_hash=await hashing.hash(password),
            status=OperatorStatus.ACTIVE.value,
            mfa_enabled=False,
            created_at=now(),
        )
    )
    await session.flush()
    return operator


async def enroll_operator_totp(session: AsyncSession, secrets: Fernet, email: str) -> str:
    """Turn TOTP on for an operator (CLI); returns the otpauth:// URI to scan."""
    operator = await OperatorRepository(session).find_by_email(normalize_email(email))
    if operator is None:
        raise InvalidCredentialsError(field="email")
    if operator.mfa_enabled:
        raise MfaStateError(reason="MFA is already enabled.")
    secret = totp.new_secret()
    operator.mfa_secret = secrets.encrypt(secret.encode()).decode()
    operator.mfa_enabled = True
    await session.flush()
    return totp.provisioning_uri(secret, operator.email, "SaaS Platform operators")


async def operator_login(
    session: AsyncSession,
    deps: IdentityDeps,
    email: str,
    password: str,
    code: str | None,
    ip: str | None,
) -> OperatorLogin:
    """Uniform failure (dummy hash for unknown operators); failures count per account and IP."""
    address = email.strip().lower()[:254]
    counters = operator_login_counters(address, ip)
    wait = await deps.throttle.retry_after(counters)
    if wait is not None:
        raise TooManyAttemptsError(retry_after=wait)
    operator = await OperatorRepository(session).find_by_email(address)
    usable = operator is not None and operator.status == OperatorStatus.ACTIVE.value
    hashed = operator.password_hash if operator is not None and usable else None
    if not await deps.hashing.verify(hashed, password):
        await deps.throttle.failure(counters)
        raise InvalidCredentialsError(field="password")
    assert operator is not None
    assert hashed is not None
    if operator.mfa_enabled and not await _second_factor(deps, operator, code or ""):
        await deps.throttle.failure(counters)
        raise InvalidMfaCodeError(field="totpCode")
    await deps.throttle.success(counters)
    if deps.hashing.needs_rehash(hashed):
        operator.password_hash = await deps.hashing.hash(password)
    operator.last_login_at = now()
    await session.flush()
    issued = deps.issuer.operator_token(operator_id=operator.id, email=operator.email)
    return OperatorLogin(operator, issued.token, issued.expires_at)


async def _second_factor(deps: IdentityDeps, operator: Operator, code: str) -> bool:
    if operator.mfa_secret is None:
        return False
    try:
        secret = deps.secrets.decrypt(operator.mfa_secret.encode()).decode()
    except InvalidToken:
        return False
    return await accept_totp(deps, f"operator:{operator.id}", secret, code)
