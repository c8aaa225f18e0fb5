"""Signing keys: configuration (`JWT_PRIVATE_KEYS`) or an encrypted key file under DATA_DIR.

The file `DATA_DIR/identity/signing-keys.enc` holds every key, encrypted (Fernet) with a key
derived from `SECRET_KEY`. Rotation (`saas-platform identity rotate-key`) adds a key that is
published in the JWKS at once but signs only after `PUBLISH_BEFORE_SIGN` (so caches that
refresh every 300 s learn it first), and retires the previous key, which stays in the JWKS for
the longest token lifetime plus leeway. A running process reloads the file when it changes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jwt
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from subgraphs.kit.auth.keys import VerificationKey

logger = logging.getLogger("subgraphs.identity.keys")

PUBLISH_BEFORE_SIGN = 330.0
RETAIN_AFTER_RETIRE = 600.0 + 30.0 + 300.0  # token lifetime + leeway + one JWKS cache period
RELOAD_INTERVAL = 5.0


class KeyRingError(Exception):
    """No usable signing key (bad SECRET_KEY, unreadable file, bad PEM)."""


def secret_box(secret: bytes, purpose: str) -> Fernet:
    """A Fernet key derived from SECRET_KEY for one purpose (key file, TOTP secrets)."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(
        secret
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def load_secret(data_dir: Path, environ: Mapping[str, str] | None = None) -> bytes:
    """SECRET_KEY, or (development) a random one kept in DATA_DIR/identity/secret.key."""
    env = os.environ if environ is None else environ
    if env.get("SECRET_KEY"):
        return env["SECRET_KEY"].encode()
    path = data_dir / "identity" / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        logger.warning("SECRET_KEY is not set: generated a development secret in %s", path)
    return path.read_text().strip().encode()


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    algorithm: str
    private_key: Any
    created_at: float
    activates_at: float
    retired_at: float | None = None

    def verification_key(self) -> VerificationKey:
        return VerificationKey(self.kid, self.algorithm, self.private_key.public_key())

    def public_jwk(self) -> dict[str, Any]:
        algorithm = jwt.get_algorithm_by_name(self.algorithm)
        jwk: dict[str, Any] = algorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "alg": self.algorithm, "use": "sig"}


def _thumbprint(key: Any, algorithm: str) -> str:
    """RFC 7638 JWK thumbprint: the kid."""
    jwk = jwt.get_algorithm_by_name(algorithm).to_jwk(key.public_key(), as_dict=True)
    members = ("crv", "kty", "x") if jwk["kty"] == "OKP" else ("e", "kty", "n")
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def new_signing_key(now: float, *, activate_after: float = 0.0) -> SigningKey:
    private = ed25519.Ed25519PrivateKey.generate()
    return SigningKey(_thumbprint(private, "EdDSA"), "EdDSA", private, now, now + activate_after)


def _from_private(private: Any, created_at: float, activates_at: float) -> SigningKey:
    if isinstance(private, ed25519.Ed25519PrivateKey):
        algorithm = "EdDSA"
    elif isinstance(private, rsa.RSAPrivateKey) and private.key_size >= 2048:
        algorithm = "RS256"
    else:
        raise KeyRingError("signing keys must be Ed25519 or RSA >= 2048 bits")
    return SigningKey(_thumbprint(private, algorithm), algorithm, private, created_at, activates_at)


def keys_from_pem(pem_text: str) -> list[SigningKey]:
    """JWT_PRIVATE_KEYS: one or more PEM private keys; the last one signs."""
    keys: list[SigningKey] = []
    for index, match in enumerate(_PEM_BLOCK.finditer(pem_text)):
        private = serialization.load_pem_private_key(match.group(0).encode(), password=None)
        keys.append(_from_private(private, float(index), float(index)))
    if not keys:
        raise KeyRingError("JWT_PRIVATE_KEYS holds no PEM private key")
    return keys


_PEM_BLOCK = re.compile(r"-----BEGIN [A-Z ]+-----.+?-----END [A-Z ]+-----", re.DOTALL)


class KeyFile:
    """The encrypted key file."""

    def __init__(self, path: Path, secret: bytes) -> None:
        self.path = path
        self._box = secret_box(secret, "identity-signing-keys")

    def mtime(self) -> float | None:
        try:
            return self.path.stat().st_mtime_ns / 1e9
        except FileNotFoundError:
            return None

    def load(self) -> list[SigningKey]:
        if not self.path.exists():
            return []
        try:
            raw = self._box.decrypt(self.path.read_bytes())
        except InvalidToken as exc:
            raise KeyRingError(f"{self.path} cannot be decrypted with this SECRET_KEY") from exc
        keys = []
        for entry in json.loads(raw):
            private = serialization.load_pem_private_key(entry["pem"].encode(), password=None)
            key = _from_private(private, entry["created_at"], entry["activates_at"])
            keys.append(replace(key, retired_at=entry.get("retired_at")))
        return keys

    def save(self, keys: list[SigningKey]) -> None:
        entries = [
            {
                "pem": k.private_key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                ).decode(),
                "created_at": k.created_at,
                "activates_at": k.activates_at,
                "retired_at": k.retired_at,
            }
            for k in keys
        ]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(self._box.encrypt(json.dumps(entries).encode()))
        os.replace(tmp, self.path)


class KeyRing:
    """The keys of this identity service: one signs, all unexpired ones verify."""

    def __init__(self, keys: list[SigningKey], source: KeyFile | None = None) -> None:
        if not keys:
            raise KeyRingError("no signing key")
        self._keys = keys
        self._source = source
        self._loaded_mtime = source.mtime() if source else None
        self._checked = time.monotonic()

    def _maybe_reload(self) -> None:
        if self._source is None or time.monotonic() - self._checked < RELOAD_INTERVAL:
            return
        self._checked = time.monotonic()
        mtime = self._source.mtime()
        if mtime is not None and mtime != self._loaded_mtime:
            try:
                self._keys = self._source.load() or self._keys
                self._loaded_mtime = mtime
            except (KeyRingError, ValueError) as exc:
                logger.error("keeping current signing keys: %s", exc)

    def signing_key(self, now: float | None = None) -> SigningKey:
        self._maybe_reload()
        moment = time.time() if now is None else now
        usable = [k for k in self._keys if k.activates_at <= moment and k.retired_at is None]
        if not usable:  # a retired key still signs rather than nothing signing at all
            usable = [k for k in self._keys if k.activates_at <= moment] or self._keys
        return max(usable, key=lambda k: k.activates_at)

    def published(self, now: float | None = None) -> list[SigningKey]:
        self._maybe_reload()
        moment = time.time() if now is None else now
        return [
            k
            for k in self._keys
            if k.retired_at is None or moment < k.retired_at + RETAIN_AFTER_RETIRE
        ]

    def verification_keys(self) -> dict[str, VerificationKey]:
        return {k.kid: k.verification_key() for k in self.published()}

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.public_jwk() for k in self.published()]}


def rotate(key_file: KeyFile, now: float | None = None, *, immediate: bool = False) -> SigningKey:
    """Add a new key; retire the others from when it starts signing; drop expired ones."""
    moment = time.time() if now is None else now
    new = new_signing_key(moment, activate_after=0.0 if immediate else PUBLISH_BEFORE_SIGN)
    kept = [
        k if k.retired_at is not None else replace(k, retired_at=new.activates_at)
        for k in key_file.load()
        if k.retired_at is None or moment < k.retired_at + RETAIN_AFTER_RETIRE
    ]
    key_file.save([*kept, new])
    return new


def load_keyring(data_dir: Path, environ: Mapping[str, str] | None = None) -> KeyRing:
    env = os.environ if environ is None else environ
    if env.get("JWT_PRIVATE_KEYS"):
        return KeyRing(keys_from_pem(env["JWT_PRIVATE_KEYS"]))
    key_file = KeyFile(data_dir / "identity" / "signing-keys.enc", load_secret(data_dir, env))
    keys = key_file.load()
    if not keys:
        keys = [new_signing_key(time.time())]
        key_file.save(keys)
        logger.warning("generated a signing key in %s", key_file.path)
    return KeyRing(keys, key_file)
