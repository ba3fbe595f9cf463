"""A scripted OpenAI-compatible chat endpoint on loopback.

HAND-WRITTEN stand-ins for LLM answers, not recordings: each test scripts the replies it needs
(a reply that a re-ask fixes, an HTTP 500, a reply that never comes). Recorded answers from a real
model are in the cassettes beside this file.
"""

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Scripted:
    """Replies in order: a str is the assistant's content; an int is an HTTP error status."""

    replies: list[str | int]
    delay_s: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)


def _completion(content: str) -> bytes:
    return json.dumps(
        {
            "id": "chatcmpl-stub",
            "object": "chat.completion",
            "created": 0,
            "model": "stub",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": content},
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
    ).encode()


@contextmanager
def scripted_endpoint(script: Scripted) -> Iterator[str]:
    """Serve `script` on 127.0.0.1; yields the base URL (…/v1)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            script.requests.append(json.loads(body))
            time.sleep(script.delay_s)
            reply = script.replies.pop(0) if script.replies else 500
            status, payload = (
                (reply, b'{"error": "scripted"}')
                if isinstance(reply, int)
                else (200, _completion(reply))
            )
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
