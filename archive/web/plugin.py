"""Datasette plugin of xxgk-archive: Chinese search (`_search` on the reports table), report pages
with citable cells, archived copies served from WARC, and the readers' pages: compare, region
totals, bulk downloads, Atom feeds, coverage. Registered as the `datasette` entry point of the
package (pyproject.toml); archive/web/plugins/ loads it for installs older than that."""
import json
import re
from html import escape
from pathlib import Path

from datasette import hookimpl
from markupsafe import Markup
from datasette.filters import FilterArguments, Filters
from datasette.utils import path_with_added_args, path_with_removed_args

from archive.search import bigrams, fts_query, snippet
from datasette.utils.asgi import asgi_static

from archive.web import facets, pages, views  # noqa: F401 (facets: whole-table facets from facet_counts)

STATIC = Path(__file__).resolve().parent / "static"


@hookimpl
def prepare_connection(conn):
    conn.create_function("cjk_bigrams", 1, bigrams, deterministic=True)
    conn.create_function("cjk_query", 1, lambda q: fts_query(q) or '""', deterministic=True)


# How many matching reports a search lists, counts and facets exactly. A broader search (a word in
# most reports) is narrowed to its most recently archived matches, and says so: counting and
# faceting every match of a common word costs time in proportion to the archive, which at a
# million reports is seconds a page. Set in metadata.yml (plugins: xxgk-search: exact_up_to).
EXACT_UP_TO = 2000


def exact_up_to(datasette) -> int:
    return int((datasette.plugin_config("xxgk-search") or {}).get("exact_up_to", EXACT_UP_TO))


def other_filters(request) -> tuple[list[str], dict]:
    """The request's column filters (year=2023, province=…), as Datasette builds them, with
    parameter names of our own: the capped search applies them before it caps."""
    args = sorted((k, v) for k in request.args if not (k.startswith("_") and "__" not in k)
                  for v in request.args.getlist(k))
    clauses, params = Filters(args).build_where_clauses("reports")
    rename = {k: f"xxgk_{k}" for k in params}
    clauses = [re.sub(r":(p\d+)\b", lambda m: ":" + rename.get(m.group(1), m.group(1)), c) for c in clauses]
    return clauses, {rename[k]: v for k, v in params.items()}


@hookimpl
def filters_from_request(request, database, table, datasette):
    q = (request.args.get("_search") or "").strip()
    if table not in ("reports",) or not q:
        return None
    query = fts_query(q)
    if query is None:
        return FilterArguments(["0"], human_descriptions=[f"全文包含“{q}”"])

    async def choose():
        # One query finds the matches (newest archived first, the other filters applied, at most
        # one more than the limit: FTS5 hands out rowids in order, so this stops early); the page,
        # the count and every facet then read those rowids only, never the whole index again.
        limit = exact_up_to(datasette)
        clauses, params = other_filters(request)
        sql = ("select r.rowid from (select rowid as hit from search_index where search_index match :xxgk_q) m"
               " join reports r on r.rowid = m.hit" + "".join(f" and {c}" for c in clauses)
               + " order by m.hit desc limit :xxgk_limit")
        db = datasette.get_database(database)
        hits = [row[0] for row in (await db.execute(sql, {"xxgk_q": query, "xxgk_limit": limit + 1, **params})).rows]
        described = [f"全文包含“{q}”"]
        capped = len(hits) > limit
        if capped:
            hits = hits[:limit]
            described = [f"全文包含“{q}”（符合条件的报告超过 {limit:,} 份，列表、计数和分面只含最近收录的 {limit:,} 份；"
                         "加上省、年度等条件可缩小范围）"]
        return FilterArguments(["rowid in (select value from json_each(:xxgk_hits))"],
                               {"xxgk_hits": json.dumps(hits)}, described,
                               extra_context={"xxgk_capped": limit if capped else None})

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
