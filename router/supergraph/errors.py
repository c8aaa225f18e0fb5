"""Errors raised while reading a supergraph."""

from __future__ import annotations


class SupergraphError(Exception):
    """A supergraph this router cannot (or must not) run.

    `code` is stable and machine-readable: `INVALID_SUPERGRAPH` (not parseable or not a valid
    schema), `MISSING_LINK` (no `@link` to the link or join spec), `UNSUPPORTED_FEATURE` (a
    feature linked `for: SECURITY` or `for: EXECUTION` that this router does not implement),
    `UNSUPPORTED_VERSION` (a join/link version outside the supported range),
    `INVALID_JOIN_DIRECTIVE` (a join directive with missing or wrong arguments).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"
