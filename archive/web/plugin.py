"""Datasette plugin of xxgk-archive: Chinese search (`_search` on the reports table), report pages
with citable cells, archived copies served from WARC, and the readers' pages: compare, region
totals, bulk downloads, Atom feeds, coverage. Registered as the `datasette` entry point of the
package (pyproject.toml); archive/web/plugins/ loads it for installs older than that."""
from html import escape
from pathlib import Path

from datasette import hookimpl
from markupsafe import Markup
from datasette.filters import FilterArguments
from datasette.utils import path_with_added_args, path_with_removed_args

from archive.search import bigrams, fts_query, snippet
from datasette.utils.asgi import asgi_static

from archive.web import pages, views

STATIC = Path(__file__).resolve().parent / "static"


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
        "xxgk_check_label": views.CHECK_LABELS,
        "xxgk_feed_url": pages.feed_url_for(request) if request and table == "reports" else None,
        "xxgk_row": lambda row: {c["column"]: c["raw"] for c in row},
        "xxgk_raw_url": path_with_added_args(request, {"_view": "raw"}) if request else None,
        "xxgk_first_url": path_with_removed_args(request, {"_next"}) if request else None,
        "xxgk_compact_url": path_with_removed_args(request, {"_view"}) if request else None,
        "xxgk_snippet": lambda text, width=60: snippet(text or "", q, width),
        "xxgk_text_snippet": text_snippet,
    }


@hookimpl
def register_routes(datasette):
    return [
        (r"^/report/(?P<report_id>[0-9a-f]{16})$", views.report_page),
        (r"^/report/(?P<report_id>[0-9a-f]{16})/snapshot$", views.snapshot),
        (r"^/snapshot/(?P<version_id>[0-9a-f]{16}/v[0-9]+)$", views.version_snapshot),
        (r"^/compare$", pages.compare_page),
        (r"^/compare\.csv$", pages.compare_csv),
        (r"^/totals$", pages.totals_page),
        (r"^/downloads$", pages.downloads_page),
        (r"^/downloads/(?P<name>xxgk-[A-Za-z0-9-]+\.zip)$", pages.download_file),
        (r"^/feeds/reports\.atom$", pages.feed),
        (r"^/coverage$", pages.coverage_page),
        (r"^/xxgk-static/(?P<path>[A-Za-z0-9_.-]+)$", asgi_static(STATIC)),
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
