"""The readers' pages: compare organs or regions across years, region totals, bulk downloads,
Atom feeds of newly archived reports, and the coverage matrix. Every page is a plain GET of its
query string, so any view can be linked."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

from datasette.utils.asgi import NotFound, Response, asgi_send_file

from archive import schema
from archive.csvout import csv_text
from archive.derived import DOWNLOADS, MANIFEST
from archive.search import fts_query

DB = "xxgk"
APPLICATION_KEYS = [k for k, _, _ in schema.APPLICATION_ROWS]


def _group(group: str) -> list[str]:
    return [f"{k}__total" for k, _, g in schema.APPLICATION_ROWS if g == group]


# (key, label, wide columns summed). A value is the sum of what was printed; it is unknown when
# any part was read as unknown, and absent when no part was printed.
METRICS = (
    ("new_received", "新收申请", ["new_received__total"]),
    ("granted", "予以公开", ["granted__total"]),
    ("partial", "部分公开", ["partial__total"]),
    ("denied", "不予公开", _group("denied")),
    ("unavailable", "无法提供", _group("unavailable")),
    ("unprocessed", "不予处理", _group("unprocessed")),
    ("total_processed", "办理总计", ["total_processed__total"]),
    ("review", "行政复议", ["review__total"]),
    ("litigation", "行政诉讼", ["litigation_direct__total", "litigation_after_review__total"]),
)
METRIC_LABELS = {k: label for k, label, _ in METRICS}
REVIEW_COLUMNS = {c for _, _, cols in METRICS for c in cols if c.split("__")[0] in dict(schema.REVIEW_ROWS)}
MAX_UNITS = 40
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22")
TOTALS_PAGE = 100
LEVEL_LABELS = {"province": "省", "city": "市", "county": "县（区）"}


def _db(datasette):
    return datasette.get_database(DB)


async def _render(datasette, request, template, context):
    return Response.html(await datasette.render_template(template, {"db": DB, **context}, request=request))


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _names(request, key: str) -> list[str]:
    """Repeated parameters and comma/、-separated lists alike: ?organ=A&organ=B or ?organs=A、B."""
    out = []
    for value in request.args.getlist(key) + request.args.getlist(key + "s"):
        out += [v.strip() for v in re.split(r"[,，、;；\n]", value) if v.strip()]
    return list(dict.fromkeys(out))


def _metric_value(row: dict, columns: list[str], unknown: set[str]):
    """(value, is_unknown) of one metric over one row of wide columns."""
    if any(c in unknown for c in columns):
        return None, True
    parts = [row.get(c) for c in columns if row.get(c) is not None]
    return (sum(parts) if parts else None), False


# Compare -------------------------------------------------------------------------------------
async def compare_data(datasette, request, every_unit: bool = False) -> dict:
    """Units (organs, all organs of a county, or the counties of a city) × years, with the key
    numbers and their change from the year before."""
    db = _db(datasette)
    organs, county, city = _names(request, "organ"), (request.args.get("county") or "").strip(), \
        (request.args.get("city") or "").strip()
    year_from, year_to = _int(request.args.get("from")), _int(request.args.get("to"))
    years_sql = " and r.year >= :y_from" if year_from else ""
    years_sql += " and r.year <= :y_to" if year_to else ""
    params = {"y_from": year_from, "y_to": year_to}
    wide_cols = sorted({c for _, _, cols in METRICS for c in cols})
    select = ", ".join(f"{'v' if c in REVIEW_COLUMNS else 'a'}.[{c}]" for c in wide_cols)
    mode, rows, note, n_units = None, [], None, 0
    if city:
        mode = "city"
        sums = ", ".join(f"[{c}]" for c in wide_cols)
        ysql = years_sql.replace("r.year", "year")
        # A city can hold many counties; the page shows the first MAX_UNITS, the CSV all of them.
        only = "" if every_unit else (
            " and county in (select distinct county from region_totals where level = 'county' and city = :city"
            f" {ysql} order by county limit {MAX_UNITS + 1})")
        result = await db.execute(
            f"select county as unit, year, organs, reports, reports_with_unknown, {sums} from region_totals"
            f" where level = 'county' and city = :city {ysql}{only} order by county, year", {"city": city, **params})
        if not every_unit:
            n_units = (await db.execute(
                f"select count(distinct county) from region_totals where level = 'county' and city = :city {ysql}",
                {"city": city, **params})).rows[0][0]
        for r in result.rows:
            row = dict(r)
            rows.append({"unit": row["unit"], "year": row["year"], "report_id": None, "check_status": None,
                         "organs": row["organs"], "reports": row["reports"],
                         "with_unknown": row["reports_with_unknown"], "wide": row, "unknown": set()})
    elif organs or county:
        mode = "county" if county and not organs else "organs"
        if mode == "county":
            where, params["county"] = "r.county = :county", county
        else:
            marks = ", ".join(f":o{i}" for i in range(len(organs)))
            where = f"r.organ_id in ({marks})"
            params.update({f"o{i}": o for i, o in enumerate(organs)})
        result = await db.execute(
            f"select r.id, r.organ as unit, r.year, r.check_status, {select} from reports r"
            " left join applications_wide a on a.report_id = r.id left join reviews_wide v on v.report_id = r.id"
            f" where {where} and r.template is not null {years_sql} order by r.organ, r.year", params)
        ids = [r["id"] for r in result.rows]
        unknown: dict[str, set[str]] = {}
        for chunk in range(0, len(ids), 500):
            part = ids[chunk:chunk + 500]
            for u in (await db.execute(
                    "select report_id, row_key || '__' || col_key as col from cells where unknown = 1 and report_id in"
                    f" ({', '.join('?' * len(part))})", part)).rows:
                unknown.setdefault(u["report_id"], set()).add(u["col"])
        for r in result.rows:
            row = dict(r)
            rows.append({"unit": row["unit"], "year": row["year"], "report_id": row["id"],
                         "check_status": row["check_status"], "wide": row, "unknown": unknown.get(row["id"], set())})
    units = list(dict.fromkeys(r["unit"] for r in rows))
    n_units = max(n_units, len(units))
    if n_units > MAX_UNITS:
        note = f"共 {n_units} 个对象，仅显示前 {MAX_UNITS} 个；请缩小范围或下载 CSV。"
    shown = set(units[:MAX_UNITS])
    if not every_unit:
        rows = [r for r in rows if r["unit"] in shown]
    prev = {}
    for row in rows:
        row["values"], row["unknown_metrics"], row["change"] = {}, set(), {}
        for key, _, cols in METRICS:
            value, unk = _metric_value(row["wide"], cols, row["unknown"])
            row["values"][key] = value
            if unk:
                row["unknown_metrics"].add(key)
            before = prev.get((row["unit"], row["year"] - 1, key))
            row["change"][key] = value - before if value is not None and before is not None else None
            prev[(row["unit"], row["year"], key)] = value
    years = sorted({r["year"] for r in rows})
    return {"mode": mode, "organs": organs, "county": county, "city": city, "from": year_from, "to": year_to,
            "rows": rows, "table_rows": [r for r in rows if r["unit"] in shown], "units": units[:MAX_UNITS],
            "years": years, "note": note}


def compare_columns_and_rows(data: dict) -> tuple[list[str], list[list]]:
    region = data["mode"] == "city"
    columns = ["对象", "年度"] + (["机关数", "报告数", "含未知单元格的报告数"] if region else ["报告编号", "校验状态"])
    for key, label, _ in METRICS:
        columns += [label, f"{label}同比增减"]
    out = []
    for r in data["rows"]:
        line = [r["unit"], r["year"]] + ([r["organs"], r["reports"], r["with_unknown"]] if region
                                        else [r["report_id"], r["check_status"]])
        for key, _, _ in METRICS:
            line += ["未知" if key in r["unknown_metrics"] else r["values"][key], r["change"][key]]
        out.append(line)
    return columns, out


def svg_chart(data: dict, metric: str) -> str | None:
    """A line per unit over the years, as inline SVG (no script, no network)."""
    years = data["years"]
    series = []
    for i, unit in enumerate(data["units"][:len(PALETTE)]):
        points = [(r["year"], r["values"][metric]) for r in data["rows"]
                  if r["unit"] == unit and r["values"][metric] is not None]
        if points:
            series.append((unit, PALETTE[i], points))
    if not series or not years:
        return None
    width, height, left, bottom, top, right = 720, 300, 56, 40, 16, 170
    top_value = max(v for _, _, pts in series for _, v in pts) or 1
    span = max(1, len(years) - 1)

    def x(year):
        return left + (years.index(year) / span) * (width - left - right) if len(years) > 1 else left + 20

    def y(value):
        return top + (1 - value / top_value) * (height - top - bottom)

    from html import escape

    parts = [f'<svg class="xxgk-chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
             f' viewBox="0 0 {width} {height}" role="img" aria-label="{escape(METRIC_LABELS[metric])}">',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#888"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#888"/>']
    for frac in (0, 0.5, 1):
        v = top_value * frac
        parts.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11">{v:g}</text>')
    for year in years:
        parts.append(f'<text x="{x(year):.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="11">{year}</text>')
    for i, (unit, colour, points) in enumerate(series):
        coords = " ".join(f"{x(yr):.1f},{y(v):.1f}" for yr, v in points)
        parts.append(f'<polyline class="xxgk-series" data-unit="{escape(unit)}" fill="none" stroke="{colour}"'
                     f' stroke-width="2" points="{coords}"/>')
        for yr, v in points:
            parts.append(f'<circle cx="{x(yr):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}">'
                         f'<title>{escape(unit)} {yr}：{v:g}</title></circle>')
        ly = top + 14 + i * 18
        parts.append(f'<rect x="{width - right + 12}" y="{ly - 9}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{width - right + 26}" y="{ly}" font-size="12">{escape(unit[:12])}</text>')
    parts.append("</svg>")
    return "".join(parts)


async def compare_page(datasette, request):
    data = await compare_data(datasette, request)
    metric = request.args.get("chart") if request.args.get("chart") in METRIC_LABELS else "new_received"
    query = request.query_string
    years = [r[0] for r in (await _db(datasette).execute(  # the years with tables, from an index
        "select distinct year from applications_wide where year is not null order by year")).rows]
    return await _render(datasette, request, "xxgk_compare.html", {
        **data, "metrics": METRICS, "metric": metric, "chart": svg_chart(data, metric) if data["mode"] else None,
        "csv_url": "/compare.csv" + (f"?{query}" if query else ""), "all_years": years,
        "chart_links": {k: "/compare?" + urlencode([(a, b) for a in request.args.keys() if a != "chart"
                                                              for b in request.args.getlist(a)]
                                                   + [("chart", k)]) for k, _, _ in METRICS}})


async def compare_csv(datasette, request):
    data = await compare_data(datasette, request, every_unit=True)
    columns, rows = compare_columns_and_rows(data)
    return Response(csv_text(columns, rows), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="compare.csv"'})


# Region totals -------------------------------------------------------------------------------
async def totals_page(datasette, request):
    db = _db(datasette)
    level = request.args.get("level") if request.args.get("level") in LEVEL_LABELS else "province"
    filters = {k: (request.args.get(k) or "").strip() for k in ("province", "city", "county")}
    year = _int(request.args.get("year"))
    where = ["level = :level"] + [f"{k} = :{k}" for k, v in filters.items() if v]
    params = {"level": level, **{k: v for k, v in filters.items() if v}}
    if year:
        where.append("year = :year")
        params["year"] = year
    exists = (await db.execute("select 1 from sqlite_master where name = 'region_totals'")).rows
    cols = sorted({c for _, _, cs in METRICS for c in cs})
    rows, count = [], 0
    page = max(1, _int(request.args.get("page")) or 1)
    if exists:
        result = await db.execute(
            "select region, province, city, county, year, organs, reports, reports_with_unknown, "
            + ", ".join(f"[{c}]" for c in cols)
            + f" from region_totals where {' and '.join(where)} order by province, city, county, year desc"
            f" limit {TOTALS_PAGE} offset {(page - 1) * TOTALS_PAGE}", params)
        count = (await db.execute(f"select count(*) from region_totals where {' and '.join(where)}", params)).rows[0][0]
        for r in result.rows:
            row = dict(r)
            row["values"] = {k: _metric_value(row, cs, set())[0] for k, _, cs in METRICS}
            rows.append(row)
    # Every year and province has a province-level row: read from the indexes, not the table.
    years = [r[0] for r in (await db.execute(
        "select distinct year from region_totals where level = 'province' order by year desc")).rows] if exists else []
    provinces = [r[0] for r in (await db.execute(
        "select distinct province from region_totals where level = 'province' order by province")).rows] if exists else []
    table_args = urlencode({**params, "_size": "max", "_dl": "1"})
    return await _render(datasette, request, "xxgk_totals.html", {
        "rows": rows, "metrics": METRICS, "level": level, "levels": LEVEL_LABELS, "filters": filters,
        "year": year, "years": years, "provinces": provinces,
        "table_url": f"/{DB}/region_totals?{urlencode(params)}", "count": count, "page": page,
        "pages": max(1, -(-count // TOTALS_PAGE)),
        "page_url": lambda n: "/totals?" + urlencode({**params, "page": n}),
        "csv_url": f"/{DB}/region_totals.csv?{table_args}"})


# Bulk downloads ------------------------------------------------------------------------------
def _downloads_dir(datasette) -> Path:
    return Path(_db(datasette).path).parent / DOWNLOADS


async def downloads_page(datasette, request):
    path = _downloads_dir(datasette) / MANIFEST
    entries = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    for e in entries:
        size = e["bytes"]
        e["size"] = f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{max(1, round(size / 1024))} KB"
    kinds = {"all": "全部", "year": "按年度", "province": "按省"}
    return await _render(datasette, request, "xxgk_downloads.html", {
        "groups": [(label, [e for e in entries if e["kind"] == kind]) for kind, label in kinds.items()]})


async def download_file(datasette, request, send):
    path = _downloads_dir(datasette) / request.url_vars["name"]
    if not path.is_file():
        raise NotFound("没有这个下载文件")
    await asgi_send_file(send, path, filename=path.name, content_type="application/zip")


# Feeds ---------------------------------------------------------------------------------------
FEED_KEYS = ("province", "city", "county", "q")


def feed_url_for(request) -> str:
    """The feed that follows what a reports page shows: its place facets and its search word."""
    args = {k: request.args.get(k) for k in ("province", "city", "county") if request.args.get(k)}
    if (request.args.get("_search") or "").strip():
        args["q"] = request.args.get("_search").strip()
    return "/feeds/reports.atom" + (f"?{urlencode(args)}" if args else "")


async def feed(datasette, request):
    """Atom feed of newly archived reports and corrected versions, newest first: the whole
    archive, or one province/city/county, or one search word (any combination)."""
    from feedgen.feed import FeedGenerator

    db = _db(datasette)
    where, params, described = ["1"], {}, []
    for key in ("province", "city", "county"):
        value = (request.args.get(key) or "").strip()
        if value:
            where.append(f"r.{key} = :{key}")
            params[key] = value
            described.append(value)
    q = (request.args.get("q") or "").strip()
    if q:
        query = fts_query(q)
        where.append("r.rowid in (select rowid from search_index where search_index match :q)" if query else "0")
        params["q"] = query
        described.append(f"“{q}”")
    rows = (await db.execute(
        "select v.id as version_id, v.version, v.fetched_at, v.url, r.id, r.title, r.organ, r.province, r.city,"
        " r.county, r.year, r.check_status from versions v join reports r on r.id = v.report_id"
        f" where {' and '.join(where)} order by v.fetched_at desc, v.id limit 50", params)).rows
    base = f"{request.scheme}://{request.host}"
    fg = FeedGenerator()
    fg.id(base + request.path + (f"?{request.query_string}" if request.query_string else ""))
    fg.title("新收录的政府信息公开工作年度报告" + (f"：{'，'.join(described)}" if described else ""))
    fg.subtitle("xxgk-archive 新收录与更正的报告，按收录时间倒序")
    fg.link(href=fg.id(), rel="self")
    fg.link(href=base + "/", rel="alternate")
    fg.language("zh-CN")
    fg.updated(rows[0]["fetched_at"] if rows else datetime.now(timezone.utc))
    from archive.web.views import CHECK_LABELS

    for r in reversed(rows):  # feedgen lists entries last-added first
        e = fg.add_entry()
        e.id(f"tag:xxgk-archive,2025:report/{r['id']}/v{r['version']}")  # permanent, whatever host serves it
        e.title(r["title"] + ("（更正版）" if r["version"] > 1 else ""))
        e.link(href=f"{base}/report/{r['id']}")
        e.updated(r["fetched_at"])
        place = " ".join(p for p in (r["province"], r["city"], r["county"]) if p)
        e.content(f"{r['organ']}（{place}）{r['year'] or ''} 年度报告，第 {r['version']} 版，"
                  f"{CHECK_LABELS.get(r['check_status'], r['check_status'])}。原始网址：{r['url']}", type="text")
    return Response(fg.atom_str(pretty=True), content_type="application/atom+xml; charset=utf-8")


# Coverage ------------------------------------------------------------------------------------
STATE_LABELS = {"archived": "已收录", "offline": "已下线", "missing": "缺", "blocked": "拦截",
                "disallowed": "禁止", "failed": "失败", "none": ""}
MAX_ORGANS = 400
MATRIX_ALL = 5000  # above this many reports, the matrix is shown one portal at a time


async def coverage_page(datasette, request):
    """Per portal and organ, which years are archived, missing, blocked or failed."""
    db = _db(datasette)
    only = (request.args.get("portal") or "").strip()
    has_status = bool((await db.execute("select 1 from sqlite_master where name = 'portal_status'")).rows)
    status = {}
    if has_status:
        for r in (await db.execute("select portal, status, reason, last_crawl, reports_found from portal_status")).rows:
            status[r["portal"]] = dict(r)
    if not only and (await db.execute("select count(*) from reports")).rows[0][0] > MATRIX_ALL:
        # A large archive: the portals first, each one's matrix on its own page.
        counts = {r["portal"]: r["n"] for r in (await db.execute(
            "select portal, count(distinct report_id) as n from sources group by portal")).rows}
        names = sorted(set(counts) | set(status))
        return await _render(datasette, request, "xxgk_coverage.html", {
            "portals": [], "portal_list": [{"name": n, "reports": counts.get(n, 0), "status": status.get(n)}
                                           for n in names], "years": [], "labels": STATE_LABELS, "only": only,
            "recent": [], "truncated": False, "max_organs": MAX_ORGANS})
    reports = (await db.execute(
        "select r.id, r.organ_id, r.year, r.online, r.title, (select min(s.portal) from sources s where s.report_id = r.id)"
        " as portal, (select min(fetched_at) from versions v where v.report_id = r.id) as added,"
        " (select max(fetched_at) from versions v where v.report_id = r.id) as changed,"
        " (select count(*) from versions v where v.report_id = r.id) as versions"
        " from reports r where r.year is not null"
        + (" and r.id in (select report_id from sources where portal = :portal)" if only else "")
        + " order by r.organ_id, r.year", {"portal": only} if only else {})).rows
    bounds = (await db.execute("select min(year), max(year) from reports where year is not null")).rows[0]
    years = list(range(bounds[0], bounds[1] + 1)) if bounds[0] else []
    portals: dict[str, dict] = {}
    for name, st in status.items():
        if not only or name == only:
            portals[name] = {"name": name, "status": st, "organs": {}}
    for r in reports:
        p = portals.setdefault(r["portal"] or "（未知门户）",
                               {"name": r["portal"] or "（未知门户）", "status": status.get(r["portal"]), "organs": {}})
        p["organs"].setdefault(r["organ_id"], {})[r["year"]] = dict(r)
    shown = 0
    out = []
    for p in sorted(portals.values(), key=lambda p: p["name"]):
        portal_state = (p["status"] or {}).get("status")
        lack = {"blocked": "blocked", "disallowed": "disallowed", "failed": "failed"}.get(portal_state, "missing")
        rows = []
        for organ, by_year in sorted(p["organs"].items()):
            if shown >= MAX_ORGANS:
                break
            shown += 1
            first = min(by_year)
            cells = []
            for year in years:
                r = by_year.get(year)
                if r:
                    state = "archived" if r["online"] else "offline"
                    note = f"{r['title']}；收录于 {r['added'] or '—'}"
                    if r["versions"] > 1:
                        note += f"；更正于 {r['changed']}（共 {r['versions']} 版）"
                    cells.append({"state": state, "year": year, "report": r["id"], "note": note,
                                  "added": r["added"], "changed": r["changed"] if r["versions"] > 1 else None})
                elif year >= first:
                    cells.append({"state": lack, "year": year, "note": f"{organ} {year} 年度报告未收录"})
                else:
                    cells.append({"state": "none", "year": year, "note": ""})
            counts = {s: sum(1 for c in cells if c["state"] == s) for s in ("archived", "offline")}
            rows.append({"organ": organ, "cells": cells, **counts,
                         "missing": sum(1 for c in cells if c["state"] in ("missing", "blocked", "disallowed", "failed"))})
        out.append({"name": p["name"], "status": p["status"], "rows": rows})
    recent = (await db.execute(
        "select v.report_id, v.version, v.fetched_at, r.title from versions v join reports r on r.id = v.report_id"
        + (" where r.id in (select report_id from sources where portal = :portal)" if only else "")
        + " order by v.fetched_at desc limit 20", {"portal": only} if only else {})).rows
    return await _render(datasette, request, "xxgk_coverage.html", {
        "portals": out, "years": years, "labels": STATE_LABELS, "only": only, "recent": recent,
        "truncated": shown >= MAX_ORGANS, "max_organs": MAX_ORGANS})
