"""Writes a JWKS (one Ed25519 key) and a matching access token for the policies benchmark.

`python bench/policies/keys.py DIR` -> DIR/.well-known/jwks.json and DIR/token (tid "acme",
scope "bench", valid for a day; issuer/audience as in bench/policies/router-on.yaml).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import jwt
import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm


def main(target: Path) -> None:
    key = Ed25519PrivateKey.generate()
    jwk = OKPAlgorithm.to_jwk(key.public_key(), as_dict=True)
    (target / ".well-known").mkdir(parents=True, exist_ok=True)
    jwks = {"keys": [{**jwk, "kid": "bench", "alg": "EdDSA", "use": "sig"}]}
    (target / ".well-known" / "jwks.json").write_bytes(orjson.dumps(jwks))
    now = int(time.time())
    claims = {
        "iss": "https://identity.bench",
        "aud": "saas-platform-api",
        "sub": "bench-user",
        "tid": "acme",
        "scope": "bench",
        "iat": now,
        "nbf": now,
        "exp": now + 86_400,
    }
    token = jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": "bench", "typ": "at+jwt"})
    (target / "token").write_text(token)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
