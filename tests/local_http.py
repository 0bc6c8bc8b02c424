"""A real HTTP server on this machine for the duration of a block: what plays a webhook
receiver, a gateway or a province's feed in the tests."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bench.common import free_port


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler], port: int | None = None) -> Iterator[str]:
    """Listen (on ``port``, or a free one) until the block ends; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", port or free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def answer_json(handler: BaseHTTPRequestHandler, content: Any, status: int = 200) -> None:
    """Answer the request ``handler`` holds with ``content`` as JSON."""
    raw = json.dumps(content).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(raw)))
    handler.end_headers()
    handler.wfile.write(raw)
