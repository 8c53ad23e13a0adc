"""The portal simulator: real HTTP servers on 127.0.0.1, one port per simulated portal (so each
portal is its own host for robots.txt and per-domain throttling), serving the universe of
`universe.py` in the style of its platform, with its obstacles."""
from __future__ import annotations

import hashlib
import json
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from archive import schema

from . import attachments, tls
from .common import Reply
from .families import STYLES, build_families
from .universe import SimPortal, build_universe
from .world import World

STALL_SECONDS = 4.0  # longer than the crawl's timeout in tests and --fast runs
FILE_HOST = "@files"  # suffix of the key of a portal's file host in `servers` and `requests`
MIRROR = "@mirror"  # suffix of the key of a content farm mirroring a portal


@dataclass
class Req:
    method: str
    path: str
    query: dict
    form: dict
    headers: dict
    host: str
    full: str  # path and query as requested


def column_path(portal: SimPortal, col) -> str:
    return STYLES[portal.style].col_path(portal, col)


def item_path(portal: SimPortal, col, item) -> str:
    return STYLES[portal.style].item_path(portal, col, item)


def robots_txt(portal: SimPortal) -> Reply:
    if portal.obstacle == "robots_403":
        return Reply(403, "<html><head><title>403 Forbidden</title></head><body><h1>403 Forbidden</h1></body></html>")
    if portal.obstacle == "robots_404":
        return Reply(404, "<html><head><title>404 Not Found</title></head><body>404</body></html>")
    if portal.obstacle == "robots_disallow":
        return Reply(200, "User-agent: *\nDisallow: /\n", "text/plain")
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /_simulator/"]
    lines += [f"Disallow: {column_path(portal, c)}" for c in portal.columns if c.disallowed]
    return Reply(200, "\n".join(lines) + "\n", "text/plain")


def truth(portal: SimPortal, base: str) -> dict:
    """The portal's ground truth as JSON: every report, where it is listed, every value, and the
    status a correct crawl records."""
    listed: dict[int, list[str]] = {}
    for col, item in portal.listed():
        listed.setdefault(id(item.origin), []).append(base + item_path(portal, col, item))
    expected = {id(r) for r in portal.expected_reports()}
    return {
        "portal": portal.name, "platform": portal.platform, "obstacle": portal.obstacle,
        "expect_status": portal.expect_status, "expect_reason": portal.expect_reason,
        "reports": [{
            "urls": listed[id(r)], "title": r.title, "organ": r.organ.name, "organ_code": r.organ.code,
            "level": r.organ.level, "year": r.year, "template": r.template, "pub_date": r.pub_date.isoformat(),
            "archived": id(r) in expected,
            "attachment": attachments.truth(r),
            "values": {t: {row: {c: str(v) for c, v in cols.items()} for row, cols in rows.items()}
                       for t, rows in r.values.items()},
        } for r in portal.reports()],
        "news": sum(1 for c in portal.columns for i in c.items if not hasattr(i, "values")),
        "tables": list(schema.TABLES),
    }


def challenge(obstacle: str) -> Reply | None:
    """The answer of an access control in front of the portal, as real ones look."""
    if obstacle == "jsl":
        return Reply(521, "<html><body><script>document.cookie=('__jsl_clearance_s=')+(1737000000)+('.412|0|')+"
                          "('Ak8%2FzFh3jPq%3D')+';Expires=Tue, 21-Jan-25 09:00:00 GMT;Path=/;';"
                          "location.href=location.pathname+location.search</script></body></html>",
                     headers=[("Set-Cookie", "__jsluid_s=6f2b8a1e0c9d; max-age=31536000; path=/; HttpOnly")])
    if obstacle == "ruishu":
        return Reply(412, '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Environment Checking</title>'
                          '<meta id="9DhefwqGPrzGxEp9hPaoag" content="x"></head><body><script type="text/javascript" '
                          'r="m">$_ts=window["$_ts"];</script><script src="/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js" r="m">'
                          "</script></body></html>",
                     headers=[("Set-Cookie", "FSSBBIl1UgzbN7N80S=x8sn1c0Y; Path=/; HttpOnly")])
    if obstacle == "nwaf":
        return Reply(405, "<html><head><title>NWAF页面</title></head><body><h2>您的访问请求可能对网站造成安全威胁，请求已被拦截。</h2>"
                          "<p>事件ID：a1b2c3d4e5f60718</p></body></html>")
    if obstacle == "wzws":
        return Reply(200, '<html><head><meta charset="utf-8"></head><body><script>var wzwschallenge="RANDOMSTR3691";'
                          'var wzwschallengex="STRRANDOM3691";var dynamicurl="/WZWSREL3B1YmxpYw==";'
                          "location.href=dynamicurl;</script></body></html>",
                     headers=[("Set-Cookie", "wzws_cid=2f3b1c5e7a; path=/; HttpOnly")])
    return None


def _file_host(portal: SimPortal, req: Req) -> Reply:
    """The host where a portal stores its attachments (object storage): files and nothing else."""
    if req.path == "/robots.txt":
        return Reply(200, "User-agent: *\nDisallow:\n", "text/plain")
    from .common import not_found

    return attachments.serve_file(portal, req) or not_found(portal)


_STATIC_ARTICLE = re.compile(r"/t\d{8}_\d+(_wap)?\.s?html?$")


class _Handler(BaseHTTPRequestHandler):
    portal: SimPortal
    sim: "Simulator"
    files_only = False  # the portal's file host, not the portal
    mirror = False  # a content farm copying the portal
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # the crawler logs what matters
        pass

    def setup(self):
        # A portal with a `scheme` answers TLS and plain HTTP on one port, told apart by the first
        # byte; an http-only one drops a TLS client, an https-only one answers plain HTTP 404.
        self.tls = self.refused = False
        scheme = None if (self.files_only or self.mirror) else self.portal.extra.get("scheme")
        if scheme and tls.starts_tls(self.request):
            if scheme == "http":
                self.refused = True
            else:
                try:
                    self.request = tls.server_context().wrap_socket(self.request, server_side=True)
                    self.tls = True
                except OSError:
                    self.refused = True
        super().setup()

    def handle(self):
        if self.refused:
            try:
                self.request.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        try:
            super().handle()
        except (ConnectionError, ValueError, OSError):
            pass  # a reset we made, or a client that went away

    def do_GET(self):
        self.serve("GET", b"")

    def do_HEAD(self):
        self.serve("GET", b"")

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.serve("POST", self.rfile.read(n) if n else b"")

    def serve(self, method: str, data: bytes):
        p = self.portal
        parts = urlsplit(self.path)
        req = Req(method, unquote(parts.path), dict(parse_qsl(parts.query, keep_blank_values=True)),
                  dict(parse_qsl(data.decode("utf-8", "replace"), keep_blank_values=True)), dict(self.headers),
                  self.headers.get("Host", ""), self.path)
        with self.sim.lock:
            key = f"{p.key}{FILE_HOST}" if self.files_only else f"{p.key}{MIRROR}" if self.mirror else p.key
            self.sim.requests.append((key, method, self.path))
            if data:
                self.sim.bodies[(p.key, self.path)] = data
                self.sim.posts.append((p.key, self.path, data))
        reply = self.answer(p, req)
        if reply is None:
            return self.reset()
        body = reply.body
        if isinstance(body, attachments.Streamed):
            return self.stream(reply, body)
        if isinstance(body, str):
            body = body.encode("gbk" if p.encoding == "gbk" else "utf-8")
        ctype = reply.ctype
        if reply.status == 200 and p.platform == "trs" and _STATIC_ARTICLE.search(req.path):
            # Static TRS sites are served by a web server that gives ETags and answers 304.
            etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
            reply.headers = [*reply.headers, ("ETag", etag)]
            if self.headers.get("If-None-Match") == etag:
                with self.sim.lock:
                    self.sim.not_modified.append((p.key, req.path))
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        if ctype.startswith(("text/", "application/javascript", "application/json")):
            ctype += "; charset=gb2312" if p.encoding == "gbk" and ctype == "text/html" else "; charset=utf-8"
        self.send_response(reply.status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in reply.headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def stream(self, reply: Reply, body: "attachments.Streamed") -> None:
        """A body too large to hold, written chunk by chunk; a client that stops reading (a crawler
        refusing what the Content-Length announces) ends it."""
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.ctype)
        self.send_header("Content-Length", str(body.size))
        self.end_headers()
        if self.command == "HEAD":
            return
        self.close_connection = True
        self.wfile.write(body.head)
        left, chunk = body.size - len(body.head), bytes(2**20)
        while left > 0:
            self.wfile.write(chunk[:left])
            left -= len(chunk)

    def answer(self, p: SimPortal, req: Req) -> Reply | None:
        """None means: reset the connection."""
        if self.files_only:
            return _file_host(p, req)
        if self.mirror:
            return STYLES[p.style].mirror(p, req)
        if p.extra.get("scheme") == "https" and not self.tls:
            from .common import not_found

            return not_found(p)  # https only: plain HTTP answers 404
        if p.delay:
            time.sleep(p.delay)
        if req.path == "/robots.txt":
            return robots_txt(p)
        if req.path == "/_simulator/truth.json":
            return Reply(200, json.dumps(truth(p, self.sim.base(p.key)), ensure_ascii=False), "application/json")
        ua = req.headers.get("User-Agent", "")
        if p.platform == "gkmlpt" and (not ua or ua.startswith(("Scrapy/", "python", "curl"))):
            return None  # gkmlpt hosts drop clients that do not name themselves
        ob = p.obstacle
        if ob in ("jsl", "ruishu", "nwaf", "wzws"):
            return challenge(ob)
        at_start = req.full == p.start_path
        if at_start and ob == "moved":
            return Reply(301, "", headers=[("Location", "/")])
        if at_start and ob == "redirect":
            return Reply(302, "", headers=[("Location", column_path(p, p.columns[0]))])
        if at_start and ob == "soft404":
            from .common import soft_not_found

            return soft_not_found(p)
        if at_start and ob == "stall":
            time.sleep(STALL_SECONDS)
            return Reply(504, "<html><body>Gateway Timeout</body></html>")
        if at_start and ob == "reset":
            return None
        if p.flaky and "/content_" in req.path:
            with self.sim.lock:
                first = req.full not in self.sim.seen
                self.sim.seen.add(req.full)
            if first:
                return None
        return STYLES[p.style].route(p, req)

    def reset(self):
        """Close with RST, as an overloaded portal or a middlebox does."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass


class Simulator:
    """Run every simulated portal in background threads: ``with Simulator() as sim: sim.url``.

    `url` and `world` are those of the 云溪县 TRS portal; `portals` is the whole universe, each
    portal at `base(key)`."""

    def __init__(self, seed: int = 2024, host: str = "127.0.0.1", port: int = 0, only: list[str] | None = None,
                 portals: list[SimPortal] | None = None, families: bool = False):
        """`families`: the portal families of portal-evidence.md (families.py) instead of the
        default universe."""
        if portals is None:
            portals = build_families(seed) if families else build_universe(seed)
        self.portals = portals
        if only:
            self.portals = [p for p in self.portals if p.key in only]
        self.lock = threading.Lock()
        self.seen: set[str] = set()
        self.requests: list[tuple[str, str, str]] = []  # (portal key, method, path): what was asked
        self.bodies: dict[tuple[str, str], bytes] = {}  # the body of each POST
        self.posts: list[tuple[str, str, bytes]] = []  # (portal key, path, body) of every POST, in order
        self.not_modified: list[tuple[str, str]] = []  # (portal key, path) answered 304
        self.servers: dict[str, ThreadingHTTPServer] = {}
        self.threads: list[threading.Thread] = []
        for i, p in enumerate(self.portals):
            handler = type(f"Handler_{p.key}", (_Handler,), {"portal": p, "sim": self})
            # The first portal takes the port asked for (the one `xxgk simulate` prints).
            httpd = ThreadingHTTPServer((host, port if i == 0 else 0), handler)
            httpd.daemon_threads = True
            self.servers[p.key] = httpd
            # A content farm copying the portal's reports on its own host (never the source), and
            # a file host that downfile.jsp redirects to: each a server of its own.
            for flag, suffix, role, base in (("mirror", MIRROR, "mirror", "mirror_base"),
                                             ("file_host", FILE_HOST, "files_only", "file_base")):
                if p.extra.get(flag):
                    side = type(f"{role}_{p.key}", (_Handler,), {"portal": p, "sim": self, role: True})
                    httpd = ThreadingHTTPServer((host, 0), side)
                    httpd.daemon_threads = True
                    self.servers[p.key + suffix] = httpd
                    p.extra[base] = self.base(p.key + suffix)
        first = self.portals[0]
        self.world: World | None = first.extra.get("world")

    def base(self, key: str, scheme: str = "http") -> str:
        host, port = self.servers[key].server_address[:2]
        return f"{scheme}://{host}:{port}"

    def portal(self, key: str) -> SimPortal:
        return next(p for p in self.portals if p.key == key)

    @property
    def url(self) -> str:
        return self.base(self.portals[0].key)

    @property
    def column_urls(self) -> list[str]:
        return [f"{self.url}{c.path}" for c in self.world.columns]

    def registry(self, keys: list[str] | None = None) -> list[dict]:
        """Registry entries (crawler/portals.yml format) for the simulated portals."""
        out = []
        for p in self.portals:
            if keys and p.key not in keys:
                continue
            years = [r.year for r in p.reports()]
            out.append({"name": p.name, "code": p.code, "level": p.level, "parent": p.parent, "platform": p.platform,
                        "start_urls": [self.base(p.key, p.extra.get("registry_scheme", "http")) + p.start_path],
                        "first_year": min(years) if years else None,
                        "verified": True, "simulated": p.key,
                        # the file host downfile.jsp redirects to: one of the portal's own hosts
                        **({"hosts": [p.extra["file_base"]]} if p.extra.get("file_base") else {})})
        return out

    def start(self) -> "Simulator":
        attachments.prepare(self.portals)
        for key, httpd in self.servers.items():
            t = threading.Thread(target=httpd.serve_forever, name=f"simulator-{key}", daemon=True)
            t.start()
            self.threads.append(t)
        return self

    def wait(self) -> None:
        while any(t.is_alive() for t in self.threads):
            self.threads[0].join(0.5)

    def stop(self) -> None:
        for httpd in self.servers.values():
            httpd.shutdown()
            httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
