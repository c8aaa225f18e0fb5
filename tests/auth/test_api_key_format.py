"""API key format: prefix, base62 body, CRC32 checksum checked without I/O."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subgraphs.kit.auth.api_keys import generate_api_key, is_well_formed_api_key


def test_generated_keys_are_well_formed_and_distinct() -> None:
    keys = {generate_api_key() for _ in range(200)}
    assert len(keys) == 200
    for key in keys:
        assert key.startswith("sk_live_")
        assert len(key) == len("sk_live_") + 43 + 1 + 6
        assert is_well_formed_api_key(key)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda k: k[:-1] + ("A" if k[-1] != "A" else "B"),  # checksum
        lambda k: k[:10] + ("x" if k[10] != "x" else "y") + k[11:],  # body
        lambda k: k.replace("sk_live_", "sk_prod_"),
        lambda k: k.replace("sk_live_", "pk_live_"),
        lambda k: k + "0",
        lambda k: k[:-7],
        lambda k: "",
        lambda k: k.replace("_", "-"),
        lambda k: k[:20] + "!" + k[21:],
    ],
)
def test_tampered_keys_fail_the_checksum(mutate: object) -> None:
    assert callable(mutate)
    assert not is_well_formed_api_key(mutate(generate_api_key()))


@given(st.text(max_size=120))
def test_random_strings_are_rejected(text: str) -> None:
    assert not is_well_formed_api_key(text)
