"""Composition test fixtures: The Guild's composition as an oracle.

`guild_compose` runs `tests/js/compose.mjs` (@theguild/federation-composition, pinned in
tests/js/package-lock.json). It runs `npm ci` once per session when node_modules is missing.
Without node/npm the cross-check is skipped, except under CI=true where it fails.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from compose_fixtures import IN_CI, JS_DIR, GuildCompose

from router.compose import SubgraphSource


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason}; CI=true requires the Node cross-check to run")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def guild_compose() -> Iterator[GuildCompose]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        _unavailable("node and npm are needed for the composition cross-check")
    assert node is not None
    assert npm is not None
    if not (JS_DIR / "node_modules" / "@theguild" / "federation-composition").is_dir():
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=JS_DIR,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            _unavailable(f"npm ci in {JS_DIR} failed:\n{done.stderr[-2000:]}")

    # one long-lived node process answers every composition of the session
    server = subprocess.Popen(
        [node, str(JS_DIR / "compose.mjs"), "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None
    assert server.stdout is not None
    stdin, stdout = server.stdin, server.stdout

    def run(subgraphs: list[SubgraphSource]) -> dict[str, Any]:
        payload = [{"name": s.name, "url": s.url, "sdl": s.sdl} for s in subgraphs]
        stdin.write(json.dumps(payload) + "\n")
        stdin.flush()
        result: dict[str, Any] = json.loads(stdout.readline())
        return result

    yield run
    stdin.close()
    server.wait(timeout=10)
    stdout.close()
