"""The corpus pages on a local server in its own process (its CPU is not the pipeline's).

/p/<i>.html is the i-th page of ../shared/corpus/pages in ground-truth order (bench/pipeline.py
reads them in the same order).

usage: python bench/pageserver.py PORTFILE
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import corpus_dir  # noqa: E402


def load_pages(corpus: Path) -> list[tuple[str, bytes]]:
    truth = json.loads((corpus / "pages" / "ground-truth.json").read_text())
    return [(name, (corpus / "pages" / name).read_bytes()) for name in sorted(truth)]


PAGES: list[bytes] = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        i = int(self.path[3:].split(".")[0]) if self.path.startswith("/p/") else -1
        body = PAGES[i] if 0 <= i < len(PAGES) else b""
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    PAGES.extend(body for _, body in load_pages(corpus_dir()))
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    Path(sys.argv[1]).write_text(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
