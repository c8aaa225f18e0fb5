"""Subscription fan-out benchmark: one event to N WebSocket subscribers through the router.

Starts the clock subgraph and the router (`python -m router`, its production serving path) as
separate processes on loopback, connects N clients (Node `ws`, no compression) subscribing to
the same operation, so they share one upstream stream, then measures, for `--events` events,
the delivery latency (subgraph emit -> client receipt, wall clock) and the router's RSS.

    .venv/bin/python -m bench.subscriptions.fanout --subscribers 2000 --events 20
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.subscriptions.subgraph import SUPERGRAPH

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_http(url: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(url)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


ROUTER_CMD = f"{PYTHON} -m router --supergraph {{supergraph}} --port {{port}}"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` (clock ticks from /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(
    subscribers: int, events: int, interval_ms: int, router_cmd: str = ROUTER_CMD
) -> dict[str, object]:
    sub_port, router_port = free_port(), free_port()
    procs: list[subprocess.Popen[str]] = []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        supergraph = Path(tmp) / "supergraph.graphql"
        supergraph.write_text(SUPERGRAPH.format(url=f"http://127.0.0.1:{sub_port}/graphql"))
        try:
            procs.append(
                subprocess.Popen(
                    [PYTHON, "-m", "bench.subscriptions.subgraph", str(sub_port)],
                    env=env,
                    text=True,
                )
            )
            router_env = {**env, "ROUTER_HOT_RELOAD": "false", "ROUTER_WS_KEEPALIVE": "0"}
            router = subprocess.Popen(
                [
                    PYTHON,
                    "-m",
                    "router",
                    "--supergraph",
                    str(supergraph),
                    "--port",
                    str(router_port),
                ],
                env=router_env,
                text=True,
            )
            procs.append(router)
            wait_http(f"http://127.0.0.1:{router_port}/health")
            baseline = rss_kib(router.pid)
            clients = subprocess.Popen(
                [
                    "node",
                    str(Path(__file__).with_name("clients.mjs")),
                    f"ws://127.0.0.1:{router_port}/graphql",
                    str(subscribers),
                    str(interval_ms),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            procs.append(clients)
            assert clients.stdout is not None
            assert clients.stdin is not None
            started = time.monotonic()
            line = clients.stdout.readline()
            if not line.startswith("READY"):
                raise RuntimeError(f"clients failed: {line!r}")
            connect_s = time.monotonic() - started
            time.sleep(1.0)  # let allocations settle before reading RSS
            loaded = rss_kib(router.pid)
            first = int(line.split()[1]) + max(2, int(2000 / interval_ms))
            clients.stdin.write(f"GO {first} {events}\n")
            clients.stdin.flush()
            cpu_before, wall_before = cpu_seconds(router.pid), time.monotonic()
            summary: dict[str, object] = json.loads(clients.stdout.readline())
            cpu = cpu_seconds(router.pid) - cpu_before
            window = time.monotonic() - wall_before
            summary.update(
                connect_and_subscribe_s=round(connect_s, 2),
                router_rss_baseline_mib=round(baseline / 1024, 1),
                router_rss_loaded_mib=round(loaded / 1024, 1),
                rss_per_connection_kib=round((loaded - baseline) / subscribers, 1),
                # the router's CPU while the measured events were delivered (waiting included)
                router_cpu_ms_per_event=round(cpu * 1000 / (window * 1000 / interval_ms), 1),
                router_cpu_us_per_delivery=round(
                    cpu * 1e6 / (window * 1000 / interval_ms) / subscribers, 1
                ),
                interval_ms=interval_ms,
            )
            return summary
        finally:
            for proc in reversed(procs):
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--interval-ms", type=int, default=500)
    parser.add_argument("--router-cmd", default=ROUTER_CMD, help="with {supergraph} and {port}")
    args = parser.parse_args()
    result = run(args.subscribers, args.events, args.interval_ms, args.router_cmd)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
