"""The portal simulator: a real HTTP server on 127.0.0.1 serving the generated portal."""
from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import trs
from .world import World, build_world

_PAGE = re.compile(r"^index(?:_(\d+))?\.html$")


class _Handler(BaseHTTPRequestHandler):
    server_version = "TRS-WCM/7.0"
    world: World

    def log_message(self, format, *args):  # the crawler logs what matters
        pass

    def do_GET(self):
        status, body, ctype = self.route(self.path.split("?", 1)[0].split("#", 1)[0])
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def route(self, path: str) -> tuple[int, str, str]:
        html = "text/html; charset=utf-8"
        world = self.world
        if path in ("/", "/index.html"):
            return 200, trs.home_page(world), html
        if path == "/robots.txt":
            return 200, trs.robots_txt(), "text/plain; charset=utf-8"
        if path == "/images/pagecount.js":
            return 200, trs.PAGER_JS, "application/javascript; charset=utf-8"
        if path == "/_simulator/truth.json":
            return 200, json.dumps(trs.truth(world), ensure_ascii=False), "application/json; charset=utf-8"
        for column in world.columns:
            if not path.startswith(column.path):
                continue
            rest = path[len(column.path):]
            m = _PAGE.match(rest or "index.html")
            if m:
                page = trs.column_page(world, column, int(m.group(1) or 0))
                if page is not None:
                    return 200, page, html
            item = world.report_at(path)
            if item is not None:
                return 200, trs.article_page(world, column, item), html
        return 404, _not_found(), html


def _not_found() -> str:
    return "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>"


class Simulator:
    """Run the simulated portal in a background thread: ``with Simulator() as sim: sim.url``."""

    def __init__(self, seed: int = 2024, host: str = "127.0.0.1", port: int = 0):
        self.world = build_world(seed)
        handler = type("Handler", (_Handler,), {"world": self.world})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def column_urls(self) -> list[str]:
        return [f"{self.url}{c.path}" for c in self.world.columns]

    def start(self) -> "Simulator":
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="simulator", daemon=True)
        self.thread.start()
        return self

    def wait(self) -> None:
        while self.thread and self.thread.is_alive():
            self.thread.join(0.5)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
