"""`python -m bench.chat.serve NAME --port N`: `saas-platform subgraph NAME` on 127.0.0.1.

It used to monkeypatch broadcaster's Redis backend (listener woken before SUBSCRIBE completed,
so a hub went deaf); the kit now does that itself (`subgraphs/kit/pubsub/backend.py`), and
this is the plain command, kept so `bench.chat.router` starts chat processes the same way.
"""

from __future__ import annotations

import sys


def main() -> None:
    from saas_platform.commands.subgraph import subgraph

    name, port = sys.argv[1], int(sys.argv[sys.argv.index("--port") + 1])
    subgraph(name, port=port, host="127.0.0.1")


if __name__ == "__main__":
    main()
