"""Operator tokens and tenant tokens never stand in for each other (kit verification)."""

from __future__ import annotations

import uuid

import pytest

from subgraphs.kit.auth import (
    Authenticator,
    InProcessKeySource,
    UnauthenticatedError,
    verify_access_token,
    verify_operator_token,
)
from subgraphs.kit.ids import TenantId
from tests.subgraphs.identity.harness import Harness


def kit(harness: Harness) -> Authenticator:
    keys = InProcessKeySource(harness.deps.keyring.verification_keys)
    return Authenticator(keys, harness.deps.issuer.policy)


async def test_an_operator_token_verifies_only_as_an_operator(harness: Harness) -> None:
    operator_id = uuid.uuid4()
    token = harness.deps.issuer.operator_token(operator_id=operator_id, email="o@p.test").token
    authenticator, policy = kit(harness), harness.deps.issuer.policy
    assert authenticator.is_operator_credential(f"Bearer {token}")
    operator = await authenticator.authenticate_operator(f"Bearer {token}")
    assert operator is not None
    assert (operator.operator_id, operator.email) == (operator_id, "o@p.test")
    with pytest.raises(UnauthenticatedError) as refused:
        await verify_access_token(token, authenticator.keys, policy)
    assert "typ" in refused.value.reason
    for target in (None, TenantId(uuid.uuid4())):
        with pytest.raises(UnauthenticatedError):
            await authenticator.authenticate(f"Bearer {token}", target)


async def test_tenant_credentials_never_verify_as_an_operator(harness: Harness) -> None:
    tenant = await harness.owned_tenant()
    authenticator = kit(harness)
    assert not authenticator.is_operator_credential(f"Bearer {tenant.owner_token}")
    with pytest.raises(UnauthenticatedError) as refused:
        await verify_operator_token(tenant.owner_token, authenticator.keys, authenticator.policy)
    assert "typ" in refused.value.reason
    for credential in (tenant.owner_token, "sk_live_" + "a" * 43 + "_aaaaaa", "x.y.z"):
        with pytest.raises(UnauthenticatedError):
            await authenticator.authenticate_operator(f"Bearer {credential}")
    assert await authenticator.authenticate_operator(None) is None
