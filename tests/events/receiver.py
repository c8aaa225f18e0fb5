"""A real local HTTP receiver for webhook tests, with scripted answers."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: str
    at: float


@dataclass
class Script:
    """Answers in order (an int status, ("sleep", seconds) or ("redirect", location)); the
    last one repeats."""

    answers: list[int | tuple[str, float | str]] = field(default_factory=lambda: [200])
    received: list[Received] = field(default_factory=list)

    def next_answer(self) -> int | tuple[str, float | str]:
        index = min(len(self.received) - 1, len(self.answers) - 1)
        return self.answers[index]


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length).decode()
            script.received.append(Received(dict(self.headers.items()), body, time.time()))
            answer = script.next_answer()
            location = None
            if isinstance(answer, tuple) and answer[0] == "redirect":
                answer, location = 307, str(answer[1])
            elif isinstance(answer, tuple):
                time.sleep(float(answer[1]))
                answer = 200
            self.send_response(answer)
            if location is not None:
                self.send_header("location", location)
            self.send_header("content-length", "2")
            self.end_headers()
            with suppress(OSError):
                self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@contextmanager
def receiver(script: Script) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks"
    finally:
        server.shutdown()
        server.server_close()
