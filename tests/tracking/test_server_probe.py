"""The probe nb2prod makes before it first talks to a tracking server: a server that is down
fails it in seconds; one that is up but slow to answer (busy with many jobs) passes it."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from nb2prod.tracking.store import CONNECT_TIMEOUT_S, check_server_answers


class _SlowHealth(BaseHTTPRequestHandler):
    delay_s = CONNECT_TIMEOUT_S + 1.5

    def do_GET(self):  # noqa: N802 (http.server's name)
        time.sleep(self.delay_s)
        self.send_response(401)  # up, but wants credentials: still up
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowHealth)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_busy_server_is_waited_for(slow_server):
    started = time.monotonic()
    check_server_answers(slow_server)
    assert time.monotonic() - started >= _SlowHealth.delay_s


def test_a_server_that_is_down_fails_in_seconds():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"  # bound, not listening: refused
        started = time.monotonic()
        with pytest.raises(requests.ConnectionError):
            check_server_answers(url)
    assert time.monotonic() - started < CONNECT_TIMEOUT_S
