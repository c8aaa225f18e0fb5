"""TOTP enrolment and verification, recovery codes, the tenant's MFA requirement."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from cryptography.fernet import InvalidToken
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity import totp
from subgraphs.identity.deps import IdentityDeps
from subgraphs.identity.errors import InvalidMfaCodeError, MfaStateError
from subgraphs.identity.models import RecoveryCode, User
from subgraphs.identity.repository import RecoveryCodeRepository, SettingRepository
from subgraphs.identity.service.common import Actor, now, record

MFA_REQUIRED = "mfa_required"
# a code stays valid for 3 steps (the current one and one either side): remember it for longer
TOTP_REPLAY_SECONDS = 4 * totp.STEP
RECOVERY_CODES = 10
ISSUER = "SaaS Platform"


@dataclass(frozen=True, slots=True)
class TotpEnrollment:
    secret: str
    otpauth_uri: str


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").encode()).hexdigest()


async def accept_totp(deps: IdentityDeps, subject: str, secret: str, code: str) -> bool:
    """A valid TOTP code not accepted before for `subject` (a user, an operator): the replay
    cache (Redis, else memory) remembers each accepted (subject, time step)."""
    step = totp.matching_step(secret, code)
    if step is None:
        return False
    return await deps.once.claim(f"totp:{subject}:{step}", TOTP_REPLAY_SECONDS)


async def mfa_required(session: AsyncSession) -> bool:
    return await SettingRepository(session).get_value(MFA_REQUIRED) == "true"


async def set_mfa_required(session: AsyncSession, required: bool, actor: Actor) -> bool:
    await SettingRepository(session).set_value(MFA_REQUIRED, "true" if required else "false")
    await record(session, "policy.mfa_required", actor, required=required)
    return required


def _secret(deps: IdentityDeps, user: User) -> str | None:
    if user.mfa_secret is None:
        return None
    try:
        return deps.secrets.decrypt(user.mfa_secret.encode()).decode()
    except InvalidToken:
        return None


async def enroll_totp(session: AsyncSession, deps: IdentityDeps, user: User) -> TotpEnrollment:
    """A new pending secret; MFA is on only after `confirm_totp` with a valid code."""
    if user.mfa_enabled:
        raise MfaStateError(reason="MFA is already enabled.")
    secret = totp.new_secret()
    user.mfa_secret = deps.secrets.encrypt(secret.encode()).decode()
    await session.flush()
    account = user.email or str(user.id)
    return TotpEnrollment(secret, totp.provisioning_uri(secret, account, ISSUER))


async def confirm_totp(
    session: AsyncSession, deps: IdentityDeps, user: User, code: str, actor: Actor
) -> list[str]:
    """Turn MFA on; returns recovery codes, shown once and stored hashed."""
    secret = _secret(deps, user)
    if user.mfa_enabled or secret is None:
        raise MfaStateError(reason="Start the enrolment with enrollTotp first.")
    if not await accept_totp(deps, f"user:{user.id}", secret, code):
        raise InvalidMfaCodeError(field="code")
    user.mfa_enabled = True
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    repository = RecoveryCodeRepository(session)
    await repository.invalidate_all(user.id, now())
    for code_text in codes:
        repository.add(RecoveryCode(user_id=user.id, code_hash=_code_hash(code_text)))
    await record(session, "mfa.enabled", actor, target=user.id)
    return codes


async def check_second_factor(
    session: AsyncSession, deps: IdentityDeps, user: User, code: str
) -> bool:
    """A TOTP code, or an unused recovery code (then used up)."""
    secret = _secret(deps, user)
    if secret is not None and await accept_totp(deps, f"user:{user.id}", secret, code):
        return True
    wanted = _code_hash(code)
    for recovery in await RecoveryCodeRepository(session).list_unused(user.id):
        if hmac.compare_digest(recovery.code_hash, wanted):
            recovery.used_at = now()
            await session.flush()
            return True
    return False
