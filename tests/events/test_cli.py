"""`saas-platform events tail|dead-letters|replay` against a real (throwaway) Redis."""

from __future__ import annotations

import pytest
from redis import Redis
from typer.testing import CliRunner

from saas_platform.commands.events import app
from tests.events.redis_server import ThrowawayRedis

pytestmark = pytest.mark.redis
runner = CliRunner()


def test_dead_letters_listed_and_replayed(
    redis_url: str, throwaway: ThrowawayRedis | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if throwaway is None:
        pytest.skip("needs redis-server for a throwaway Redis")
    if throwaway.process is None or throwaway.process.poll() is not None:
        throwaway.start()
    monkeypatch.setenv("REDIS_URL", throwaway.url)
    monkeypatch.setenv("COLUMNS", "200")
    client = Redis.from_url(throwaway.url)
    client.flushdb()
    fields = {"event_id": "e1", "tenant_id": "t1", "event_type": "sample.happened"}
    client.xadd("events:sample", {**fields, "envelope": '{"data": {"n": 1}}'})
    client.xadd(
        "events:dlq:cli",
        {
            **fields,
            "envelope": "{}",
            "dlq_source_stream": "events:sample",
            "dlq_error": "RuntimeError('boom')",
            "dlq_deliveries": "5",
        },
    )

    tail = runner.invoke(app, ["tail", "sample"])
    listed = runner.invoke(app, ["dead-letters", "cli"])
    replayed = runner.invoke(app, ["replay", "cli"])

    assert tail.exit_code == 0, tail.output
    assert "sample.happened" in tail.output
    assert '{"n":1}' in tail.output
    assert listed.exit_code == 0, listed.output
    assert "boom" in listed.output
    assert "1 dead letter(s)" in listed.output
    assert "replayed 1" in replayed.output
    assert client.xlen("events:dlq:cli") == 0
    assert client.xlen("events:sample") == 2
    client.close()


def test_commands_need_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    result = runner.invoke(app, ["dead-letters", "webhooks"])
    assert result.exit_code == 2
    assert "REDIS_URL is not set" in result.output
