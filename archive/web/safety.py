"""Public serving, safe by default: every CSV Datasette serves has its formula-like text cells
neutralised (archive/csvsafe.py); no page names a file of the server (Datasette's /-/databases
lists each database's path); and no custom SQL runs but the charts' own queries (the dashboards
send their SQL from the browser), unless `xxgk serve --allow-sql` says otherwise — a recursive
CTE must not stall everyone's page views, nor `pragma_database_list` show where the file is."""
from __future__ import annotations

import itertools
from urllib.parse import parse_qs

from datasette import hookimpl

from archive.csvsafe import StreamRewriter

HIDDEN = ("/-/databases", "/-/databases.json")


def _is_csv(scope) -> bool:
    if scope["path"].endswith(".csv"):
        return True
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return query.get("_format") == ["csv"]


def chart_queries(datasette) -> set[str]:
    """Every SQL text the dashboards' charts can send: each query with each combination of its
    filters given or not (datasette-dashboards fills [[ … ]] blocks that way)."""
    try:
        from datasette_dashboards import replace_opts_in_query
    except ImportError:
        return set()
    allowed = set()
    for dashboard in (datasette.plugin_config("datasette-dashboards") or {}).values():
        keys = list((dashboard.get("filters") or {}).keys())
        for chart in (dashboard.get("charts") or {}).values():
            query = chart.get("query")
            if not query:
                continue
            for n in range(len(keys) + 1):
                for given in itertools.combinations(keys, n):
                    allowed.add(" ".join(replace_opts_in_query(query, {k: "x" for k in given}).split()))
    return allowed


async def _answer(send, status: int, text: str) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
    await send({"type": "http.response.body", "body": text.encode("utf-8")})


@hookimpl
def asgi_wrapper(datasette):
    config = datasette.plugin_config("xxgk-safety") or {}
    allow_sql = bool(config.get("allow_sql"))
    allowed: set[str] | None = None

    def wrap(app):
        async def safe(scope, receive, send):
            nonlocal allowed
            if scope["type"] != "http":
                return await app(scope, receive, send)
            if scope["path"] in HIDDEN:
                return await _answer(send, 404, "Not found")
            if not allow_sql:
                sql = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("sql")
                if sql:
                    if allowed is None:
                        allowed = chart_queries(datasette)
                    if any(" ".join(q.split()) not in allowed for q in sql):
                        return await _answer(send, 403, "Custom SQL is off on this server; the canned queries, "
                                                        "tables and charts are open (xxgk serve --allow-sql).")
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
