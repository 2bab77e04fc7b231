#!/usr/bin/env python3
"""A small HTTP/1.1 server for the transport tests, on 127.0.0.1 at a free port.

Prints "PORT <n>" once listening. Where a handler must wait for the test, it reads one line from stdin
(the test writes one per step), so the tests never depend on timing.

  /echo            200 with JSON: the method, target, headers (lower-case names) and body it received
  /status/<code>   <code> with a metav1.Status body
  /lines?count=N   200, chunked: "event-1", then for each next line waits for a stdin line; then ends
  /stall           200 headers, then waits for a stdin line before ending the (empty) chunked body
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

STDIN_LOCK = threading.Lock()


def wait_for_test():
    with STDIN_LOCK:
        sys.stdin.readline()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def start_chunked(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()

    def handle_any(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        if url.path == "/echo":
            self.send_json(200, {
                "method": self.command,
                "target": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body,
            })
        elif url.path.startswith("/status/"):
            code = int(url.path.rsplit("/", 1)[1])
            self.send_json(code, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                  "code": code, "reason": "Forbidden", "message": "not allowed"})
        elif url.path == "/lines":
            count = int(parse_qs(url.query).get("count", ["1"])[0])
            self.start_chunked()
            for i in range(1, count + 1):
                if i > 1:
                    wait_for_test()
                self.send_chunk(b"event-%d\n" % i)
            self.send_chunk(b"")
        elif url.path == "/stall":
            self.start_chunked()
            wait_for_test()
            self.send_chunk(b"")
        else:
            self.send_json(404, {"kind": "Status", "code": 404, "reason": "NotFound", "message": url.path})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
