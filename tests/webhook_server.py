"""A real HTTP server for the webhook tests: it records what it receives, and fails or
answers slowly when told to."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


class Receiver:
    """The server's state: what it received, and how it is to answer."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.failures = 0  # answer 503 to this many more requests
        self.failing = False  # answer 503 to every request
        self.delay = 0.0  # seconds to wait before answering
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            # The answer's headers and body are two writes: without this, the body waits
            # for the sender's delayed acknowledgement of the headers (40 ms on Linux).
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(Received(self.path, dict(self.headers), body))
                if receiver.delay:
                    time.sleep(receiver.delay)
                failing = receiver.failing or receiver.failures > 0
                receiver.failures = max(receiver.failures - 1, 0)
                answer = b"down for maintenance" if failing else b"thanks"
                try:
                    self.send_response(503 if failing else 200)
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    pass  # the sender gave up waiting

            def log_message(self, format: str, *args) -> None:
                pass

        return Handler

    def events(self) -> list[str]:
        return [received.json()["event"] for received in self.received]

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
