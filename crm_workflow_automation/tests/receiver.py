# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A real HTTP receiver on 127.0.0.1 for the webhook tests: it records what
it receives and answers from a script (status, headers, body, delays), so
that the tests exercise the real transport, never a mock of HTTP."""

import contextlib
import json
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    status: int = 200
    headers: dict = field(default_factory=dict)
    body: bytes = b"ok"
    delay: float = 0.0  # before the status line
    body_delay: float = 0.0  # after the headers, before the body


@dataclass
class Received:
    method: str
    path: str
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _serve(self):
        receiver = self.server.receiver
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        receiver.received.append(
            Received(self.command, self.path, dict(self.headers.items()), body)
        )
        answer = receiver.next_answer()
        if answer.delay and receiver.stopping.wait(answer.delay):
            return
        # OSError: the client gave up (timeout), nothing to answer to
        with contextlib.suppress(OSError):
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.flush()
            if answer.body_delay and receiver.stopping.wait(answer.body_delay):
                return
            self.wfile.write(answer.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format, *args):  # the base class's name
        pass  # keep the test output clean


class Receiver:
    """``with Receiver() as receiver:`` serves on ``receiver.url`` until the
    block ends; ``receiver.answers`` are used in order, then ``default``."""

    def __init__(self, *answers, default=None):
        self.answers = deque(answers)
        self.default = default or Answer()
        self.received = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.receiver = self
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}
        )
        self._thread.daemon = True

    def next_answer(self):
        with self._lock:
            return self.answers.popleft() if self.answers else self.default

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()  # wakes handlers that are still sleeping
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)


def closed_port_url():
    """The URL of a port on 127.0.0.1 where nothing listens (a receiver that
    is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
