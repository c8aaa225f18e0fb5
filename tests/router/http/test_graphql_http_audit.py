"""The GraphQL-over-HTTP spec audits of the `graphql-http` npm package (its `auditServer`)
against the running router: zero MUST failures."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.router.http.stack import Stack

JS = Path(__file__).parent / "js"


@pytest.fixture(scope="module")
def node() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        if os.environ.get("CI"):
            pytest.fail("node and npm are needed for the graphql-http audit")
        pytest.skip("node/npm not installed")
    if not (JS / "node_modules" / "graphql-http").exists():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=JS,
            check=True,
            timeout=180,
        )
    return node


async def test_graphql_http_audits_pass(stack: Stack, node: str) -> None:
    url = str(stack.router.base_url).rstrip("/") + "/graphql"
    process = await asyncio.create_subprocess_exec(
        node, str(JS / "audit.mjs"), url, stdout=asyncio.subprocess.PIPE, cwd=JS
    )
    stdout, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0
    report = json.loads(stdout.decode().strip().splitlines()[-1])
    assert report["error"] == [], report["error"]
    assert report["ok"] >= 40, report  # the audit really ran its cases
