"""Test-wide fixtures: which real servers this run can use.

`make test` runs everything it can. Tests that need a real server ask for the `postgres_url`
or `redis_url` fixture. Where that server does not answer, the test is skipped and named in
the closing summary; under `CI=true` a missing server fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

_not_run: list[str] = []
_answers: dict[str, bool] = {}


def _answers_tcp(url: str) -> bool:
    if url not in _answers:
        parsed = urlparse(url)
        try:
            with socket.create_connection((parsed.hostname, parsed.port), timeout=1.0):
                _answers[url] = True
        except OSError:
            _answers[url] = False
    return _answers[url]


def _require(request: pytest.FixtureRequest, url: str, what: str) -> str:
    if _answers_tcp(url):
        return url
    if IN_CI:
        pytest.fail(f"{what} at {url} does not answer, and CI=true forbids skipping server tests")
    _not_run.append(f"{request.node.nodeid} (needs {what})")
    pytest.skip(f"{what} does not answer at {url}")


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> str:
    """Admin URL (libpq form) of a real PostgreSQL server; skipped or failed when absent."""
    return _require(request, POSTGRES_URL, "PostgreSQL")


@pytest.fixture
def redis_url(request: pytest.FixtureRequest) -> str:
    """URL of a real Redis server; skipped or failed when absent."""
    return _require(request, REDIS_URL, "Redis")


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    return _answers_tcp(POSTGRES_URL)


@pytest.fixture(scope="session")
def redis_available() -> bool:
    return _answers_tcp(REDIS_URL)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked `postgres` or `redis` need that server even when they do not ask for the
    URL fixture: skip them (named in the summary) or, under CI, fail them."""
    servers = (("postgres", POSTGRES_URL, "PostgreSQL"), ("redis", REDIS_URL, "Redis"))
    for marker, url, what in servers:
        if item.get_closest_marker(marker) is None or _answers_tcp(url):
            continue
        if IN_CI:
            pytest.fail(f"{what} at {url} does not answer; CI=true forbids skipping server tests")
        _not_run.append(f"{item.nodeid} (needs {what})")
        pytest.skip(f"{what} does not answer at {url}")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _not_run:
        terminalreporter.section("server tests not run (start PostgreSQL/Redis to run them)")
        for name in _not_run:
            terminalreporter.write_line(name)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # "no tests collected" must never pass silently
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.USAGE_ERROR
