"""Datasette plugin of xxgk-archive: Chinese search (`q` on the reports table), report pages,
archived copies served from WARC. Loaded with --plugins-dir (see archive/publish.py)."""
from html import escape

from datasette import hookimpl
from markupsafe import Markup
from datasette.filters import FilterArguments

from archive.search import bigrams, fts_query, snippet
from archive.web import views


@hookimpl
def prepare_connection(conn):
    conn.create_function("cjk_bigrams", 1, bigrams, deterministic=True)
    conn.create_function("cjk_query", 1, lambda q: fts_query(q) or '""', deterministic=True)


MATCHES = "(select rowid from search_index where search_index match :xxgk_q)"


@hookimpl
def filters_from_request(request, database, table, datasette):
    q = (request.args.get("_search") or "").strip()
    if table not in ("reports",) or not q:
        return None
    query = fts_query(q)
    described = [f"全文包含“{q}”"]
    if query is None:
        return FilterArguments(["0"], human_descriptions=described)

    async def choose():
        # The count, the page and every facet repeat this filter, so its form matters: rowid
        # lookups suit a rare word; a common one is cheaper as a scan of the narrow indexes
        # (`+rowid` stops the lookups), and a word in every report filters nothing.
        db = datasette.get_database(database)
        n = (await db.execute("select count(*) from search_index where search_index match ?", [query])).rows[0][0]
        total = (await db.execute("select count(*) from reports")).rows[0][0]
        if n == total and n == (await db.execute("select count(*) from search_index")).rows[0][0]:
            return FilterArguments(["1"], human_descriptions=described)
        # Measured on 100,000 reports (bench/serve.py): lookups win below about 5% of them.
        form = "+rowid in " if 20 * n > total else "rowid in "
        return FilterArguments([form + MATCHES], {"xxgk_q": query}, described)

    return choose


@hookimpl
def extra_template_vars(template, database, table, request, datasette):
    q = (request.args.get("_search") or "").strip() if request else ""

    async def text_snippet(report_id, width=60):
        # Jinja runs async here: the template awaits this for each displayed row only.
        rows = (await datasette.get_database(views.DB).execute(
            "select text from report_texts where report_id = ?", [report_id])).rows
        return snippet(rows[0]["text"] if rows else "", q, width)

    return {
        "xxgk_q": q,
        "xxgk_snippet": lambda text, width=60: snippet(text or "", q, width),
        "xxgk_text_snippet": text_snippet,
    }


@hookimpl
def register_routes(datasette):
    return [
        (r"^/report/(?P<report_id>[0-9a-f]{16})$", views.report_page),
        (r"^/report/(?P<report_id>[0-9a-f]{16})/snapshot$", views.snapshot),
        (r"^/snapshot/(?P<version_id>[0-9a-f]{16}/v[0-9]+)$", views.version_snapshot),
    ]


@hookimpl
def render_cell(value, column, table, database, datasette):
    # From a number (or a check, or a version) to the archived copy it was read from: one click.
    if column == "snapshot" and isinstance(value, str) and value.startswith("/snapshot/"):
        return Markup(f'<a href="{escape(value)}">存档副本</a>')
    return None


@hookimpl
def extra_css_urls(datasette):
    return ["/xxgk-static/xxgk.css"]
