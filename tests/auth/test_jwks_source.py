"""JWKS key source: caching, refetch on unknown kid with a minimum interval, kid spray."""

from __future__ import annotations

import uuid

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ed25519

from subgraphs.kit.auth.keys import JwksKeySource, keys_from_jwks


def jwk_of(private: ed25519.Ed25519PrivateKey, kid: str) -> dict[str, object]:
    jwk = jwt.algorithms.OKPAlgorithm.to_jwk(private.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "alg": "EdDSA", "use": "sig"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_kid_spray_costs_one_fetch_per_interval() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    document = {"keys": [jwk_of(key, "k1")]}
    hits: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hits.append(str(request.url))
        return httpx.Response(200, json=document)

    clock = Clock()
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        source = JwksKeySource("http://idp/jwks", client=client, clock=clock)
        assert (await source.get("k1")) is not None
        for _ in range(1000):
            assert await source.get(uuid.uuid4().hex) is None
        assert len(hits) == 1
        # a rotated key appears: found after the minimum interval
        rotated = ed25519.Ed25519PrivateKey.generate()
        document["keys"] = [jwk_of(key, "k1"), jwk_of(rotated, "k2")]
        assert await source.get("k2") is None
        clock.now += 31
        assert (await source.get("k2")) is not None
        assert len(hits) == 2
        # known keys are served from the cache
        for _ in range(100):
            assert await source.get("k1") is not None
        assert len(hits) == 2


async def test_jwks_outage_keeps_known_keys() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    state = {"up": True}

    def handler(request: httpx.Request) -> httpx.Response:
        if not state["up"]:
            return httpx.Response(503)
        return httpx.Response(200, json={"keys": [jwk_of(key, "k1")]})

    clock = Clock()
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        source = JwksKeySource("http://idp/jwks", client=client, clock=clock)
        assert await source.get("k1") is not None
        state["up"] = False
        clock.now += 400  # stale: a refetch is attempted and fails
        assert await source.get("k1") is not None


def test_only_allow_listed_signing_keys_are_used() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    hs = {"kty": "oct", "k": "c2VjcmV0", "kid": "h", "alg": "HS256"}
    enc = {**jwk_of(key, "e"), "use": "enc"}
    keys = keys_from_jwks({"keys": [jwk_of(key, "ok"), hs, enc, {"kid": 3}, "junk"]})
    assert list(keys) == ["ok"]
