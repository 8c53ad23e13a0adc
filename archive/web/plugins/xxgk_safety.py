"""Public serving, safe by default: every CSV Datasette serves has its formula-like text cells
neutralised (archive/csvsafe.py), and no page names a file of the server (Datasette's
/-/databases lists each database's path)."""
from __future__ import annotations

from urllib.parse import parse_qs

from datasette import hookimpl

from archive.csvsafe import StreamRewriter

HIDDEN = ("/-/databases", "/-/databases.json")


def _is_csv(scope) -> bool:
    if scope["path"].endswith(".csv"):
        return True
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return query.get("_format") == ["csv"]


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def safe(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            if scope["path"] in HIDDEN:
                await send({"type": "http.response.start", "status": 404,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
                await send({"type": "http.response.body", "body": b"Not found"})
                return
            if not _is_csv(scope):
                return await app(scope, receive, send)
            rewriter = StreamRewriter()
            state = {"csv": False}

            async def send_safe(message):
                if message["type"] == "http.response.start":
                    ctype = dict(message.get("headers") or []).get(b"content-type", b"")
                    state["csv"] = message["status"] == 200 and (b"csv" in ctype or b"text/plain" in ctype)
                    if state["csv"]:  # the length changes with the apostrophes
                        message = {**message, "headers": [(k, v) for k, v in message.get("headers") or []
                                                          if k.lower() != b"content-length"]}
                    return await send(message)
                if message["type"] == "http.response.body" and state["csv"]:
                    body = rewriter.feed(message.get("body", b""))
                    if not message.get("more_body"):
                        body += rewriter.close()
                    message = {**message, "body": body}
                return await send(message)

            return await app(scope, receive, send_safe)

        return safe

    return wrap
