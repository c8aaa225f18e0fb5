"""Key ring (encrypted file, rotation, JWKS retention), password hashing and policy,
Principal permission checks."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from subgraphs.identity.errors import WeakPasswordError
from subgraphs.identity.keyring import (
    PUBLISH_BEFORE_SIGN,
    RETAIN_AFTER_RETIRE,
    KeyFile,
    KeyRing,
    KeyRingError,
    keys_from_pem,
    load_keyring,
    rotate,
)
from subgraphs.identity.passwords import (
    HashingService,
    ScryptHasher,
    check_password_policy,
    default_hasher,
)
from subgraphs.kit.auth import (
    ForbiddenError,
    Principal,
    PrincipalKind,
    UnauthenticatedError,
    require_permission,
)
from subgraphs.kit.ids import TenantId


def test_key_file_is_encrypted_and_needs_the_secret(tmp_path: Path) -> None:
    ring = load_keyring(tmp_path, {"SECRET_KEY": "s" * 40})
    raw = (tmp_path / "identity" / "signing-keys.enc").read_bytes()
    assert b"PRIVATE KEY" not in raw
    with pytest.raises(KeyRingError):
        load_keyring(tmp_path, {"SECRET_KEY": "another secret entirely"})
    assert load_keyring(tmp_path, {"SECRET_KEY": "s" * 40}).signing_key().kid == (
        ring.signing_key().kid
    )


def test_rotation_publishes_first_signs_later_and_retires_old(tmp_path: Path) -> None:
    key_file = KeyFile(tmp_path / "keys.enc", b"secret" * 8)
    now = time.time()
    first = rotate(key_file, now, immediate=True)
    second = rotate(key_file, now + 10)
    ring = KeyRing(key_file.load())
    assert {k.kid for k in ring.published(now + 10)} == {first.kid, second.kid}
    assert ring.signing_key(now + 10).kid == first.kid
    assert ring.signing_key(now + 10 + PUBLISH_BEFORE_SIGN).kid == second.kid
    later = now + 10 + PUBLISH_BEFORE_SIGN + RETAIN_AFTER_RETIRE + 1
    assert [k.kid for k in ring.published(later)] == [second.kid]


def test_keys_from_configuration(tmp_path: Path) -> None:
    pems = [
        k.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        for k in (
            ed25519.Ed25519PrivateKey.generate(),
            rsa.generate_private_key(public_exponent=65537, key_size=2048),
        )
    ]
    ring = load_keyring(tmp_path, {"JWT_PRIVATE_KEYS": "\n".join(pems)})
    assert [k["alg"] for k in ring.jwks()["keys"]] == ["EdDSA", "RS256"]
    assert ring.signing_key().algorithm == "RS256"
    assert not (tmp_path / "identity").exists()
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(KeyRingError):
        keys_from_pem(
            weak.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode()
        )


async def test_scrypt_with_owasp_parameters_round_trips() -> None:
    hasher = default_hasher()
    hashing = HashingService(hasher, others=[ScryptHasher()])
    hashed = await hashing.hash("violet-harbour-lantern-42")
    assert hashed.startswith((hasher.prefix,))
    if isinstance(hasher, ScryptHasher):
        assert hashed.startswith("$scrypt$ln=17,r=8,p=1$")
    assert await hashing.verify(hashed, "violet-harbour-lantern-42")
    assert not await hashing.verify(hashed, "violet-harbour-lantern-43")
    assert not await hashing.verify(None, "anything")  # dummy verification for unknown users
    assert not hashing.needs_rehash(hashed)
    weak = ScryptHasher(log_n=10).hash("x" * 12)
    assert hashing.needs_rehash(weak)
    assert await hashing.verify(weak, "x" * 12)


@pytest.mark.parametrize(
    ("password", "email"),
    [
        ("short", None),
        ("password1234", None),
        ("aaaaaaaaaaaaaaaa", None),
        ("ada.lovelace-rocks", "ada.lovelace@example.test"),
        ("x" * 300, None),
    ],
)
def test_password_policy_rejects(password: str, email: str | None) -> None:
    with pytest.raises(WeakPasswordError):
        check_password_policy(password, email)


def test_password_policy_accepts_a_passphrase() -> None:
    check_password_policy("violet harbour lantern", "ada@example.test")


def test_require_permission() -> None:
    principal = Principal(
        tenant_id=TenantId(uuid.uuid4()),
        user_id=uuid.uuid4(),
        kind=PrincipalKind.USER,
        roles=("agent",),
        permissions=frozenset({"tickets:write"}),
    )
    assert require_permission(principal, "tickets:write") is principal
    with pytest.raises(ForbiddenError) as forbidden:
        require_permission(principal, "billing:manage")
    assert forbidden.value.code_name == "FORBIDDEN"
    with pytest.raises(UnauthenticatedError):
        require_permission(None, "tickets:write")
