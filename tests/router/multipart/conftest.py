"""Fixtures of the uploads stack (tests/router/multipart/stack.py)."""

from tests.router.multipart.stack import env, stack

__all__ = ["env", "stack"]
