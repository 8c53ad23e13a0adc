"""A hostile portal for the tests: a real HTTP server on 127.0.0.1 whose pages are given as a
table of path → answer, recording every request it gets. A second one stands in for a site that
is not the portal's ("off-site"): a correct crawler never asks it anything."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class Site:
    """`routes[path]` is (status, headers, body), or a callable(site, handler) returning one."""

    def __init__(self, routes: dict | None = None):
        self.routes = dict(routes or {})
        self.requests: list[tuple[str, str]] = []  # (method, path)
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                path = urlsplit(self.path).path
                with site.lock:
                    site.requests.append(("GET", self.path))
                answer = site.routes.get(path) or site.routes.get(self.path)
                if callable(answer):
                    answer = answer(site, self)
                    if answer is None:
                        return  # the callable answered (or dropped the connection) itself
                if answer is None:
                    answer = (404, {"Content-Type": "text/html"}, b"<html><title>404</title>not here</html>")
                status, headers, body = answer
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def paths(self) -> list[str]:
        with self.lock:
            return [p for _, p in self.requests]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def html(body: str, title: str = "") -> tuple[int, dict, bytes]:
    page = f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"
    return 200, {"Content-Type": "text/html; charset=utf-8"}, page.encode("utf-8")


def sim_reports(n: int, seed: int = 2024):
    """n real report pages of the simulator's ground truth: [(title, html, SimReport)]."""
    from crawler.simulator import trs
    from crawler.simulator.world import SimReport, build_world

    world = build_world(seed)
    out = []
    for col in world.columns:
        for item in col.items:
            if isinstance(item, SimReport) and item.template in ("2019", "2021"):
                out.append((item.title, trs.article_page(world, col, item), item))
                if len(out) == n:
                    return out
    return out
