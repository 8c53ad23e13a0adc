"""Pages that Datasette's generic views do not give: one report with its three tables as
tables, its checks and its sources; the archived copy of a source, served from WARC."""
from __future__ import annotations

from pathlib import Path

from datasette.utils.asgi import NotFound, Response

from archive import schema
from archive.snapshots import read_snapshot

DB = "xxgk"

# The archived page is the portal's HTML: shown sandboxed, so none of its scripts run here.
SANDBOX = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
CHECK_LABELS = {"passed": "勾稽关系通过", "failed": "勾稽关系不通过", "not_checkable": "无法校验", "unchecked": "未校验"}


def cell_anchor(table: str, row: str, col: str) -> str:
    """The citable name of a cell: ?cell=applications.new_received.total opens the report with
    it highlighted and its provenance shown."""
    return f"{table}.{row}.{col}"


def _layout(template: str | None, table: str, present: set[tuple[str, str]]):
    """(row key, row label, [(column key, column label)], group) in printed order for one table;
    group is (label, rowspan) on the first sub-row of a group, "" on the others, None outside."""
    if table == "applications":
        cols = list(schema.APPLICANT_COLUMNS)
        rows = [(k, label, g) for k, label, g in schema.APPLICATION_ROWS
                if not ((template == "2019" and k in schema.OTHER_2021) or (template != "2019" and k == "other"))
                or any(r == k for r, _ in present)]
        out = []
        for i, (k, label, g) in enumerate(rows):
            if g is None:
                out.append((k, label, cols, None))
            elif i == 0 or rows[i - 1][2] != g:
                out.append((k, label, cols, (schema.GROUP_LABELS[g], sum(1 for r in rows if r[2] == g))))
            else:
                out.append((k, label, cols, ""))
        return out
    if table == "reviews":
        return [(k, label, list(schema.REVIEW_COLUMNS), None) for k, label in schema.REVIEW_ROWS]
    layout = schema.ACTIVE_2019 if template == "2019" else schema.ACTIVE_2021
    col_labels = dict(schema.ACTIVE_COLUMNS)
    col_labels.update({"decisions": "本年处理决定数量" if template != "2019" else "处理决定数量",
                       "amount": "本年收费金额（万元）" if template != "2019" else "采购总金额"})
    out = []
    for key, label in schema.ACTIVE_ROWS:
        if key not in layout:
            continue
        if key == "normative_docs" and template != "2019":
            label = "行政规范性文件"
        out.append((key, label, [(c, col_labels[c]) for c in layout[key]], None))
    return out


async def report_page(datasette, request):
    report_id = request.url_vars["report_id"]
    db = datasette.get_database(DB)
    rows = (await db.execute("select * from reports where id = ?", [report_id])).rows
    if not rows:
        raise NotFound(f"没有编号为 {report_id} 的报告")
    report = dict(rows[0])
    text = (await db.execute("select text from report_texts where report_id = ?", [report_id])).rows
    report["text"] = text[0]["text"] if text else ""
    cells = {}
    for c in (await db.execute("select * from cells where report_id = ?", [report_id])).rows:
        cells.setdefault(c["table_name"], {})[(c["row_key"], c["col_key"])] = dict(c)
    tables = []
    for table in schema.TABLES:
        present = set(cells.get(table, {}))
        if not present:
            continue
        tables.append({"key": table, "label": schema.TABLE_LABELS[table],
                       "rows": _layout(report["template"], table, present), "cells": cells[table]})
    checks = [dict(r) for r in (await db.execute(
        "select check_name, subject, expected, actual, status, detail from checks where report_id = ? "
        "order by status = 'failed' desc, check_name", [report_id])).rows]
    sources = [dict(r) for r in (await db.execute(
        "select url, fetched_at, sha256, warc_file, warc_record_id, site, online, gone_since from sources"
        " where report_id = ?", [report_id])).rows]
    versions = [dict(r) for r in (await db.execute(
        "select id, version, current, fetched_at, url, snapshot, superseded_at from versions where report_id = ?"
        " order by version", [report_id])).rows]
    cited = None
    wanted = (request.args.get("cell") or "").split(".")
    if len(wanted) == 3:
        cell = cells.get(wanted[0], {}).get((wanted[1], wanted[2]))
        if cell:
            cited = {**cell, "anchor": cell_anchor(*wanted), "table_label": schema.TABLE_LABELS[wanted[0]],
                     "source": next((s for s in sources if s["url"] == cell["source_url"]), None),
                     "version": next((v for v in versions if v["id"] == cell["version_id"]), None)}
    return Response.html(await datasette.render_template(
        "report.html", {"report": report, "tables": tables, "checks": checks, "sources": sources,
                        "versions": versions, "db": DB, "cited": cited, "anchor": cell_anchor,
                        "check_labels": CHECK_LABELS}, request=request))


async def snapshot(datasette, request):
    """The archived copy of a report's current version."""
    db = datasette.get_database(DB)
    rows = (await db.execute("select version_id from reports where id = ?", [request.url_vars["report_id"]])).rows
    return await _serve_version(datasette, rows[0]["version_id"] if rows else None)


async def version_snapshot(datasette, request):
    return await _serve_version(datasette, request.url_vars["version_id"])


async def _serve_version(datasette, version_id):
    db = datasette.get_database(DB)
    rows = (await db.execute("select warc_file, warc_offset from versions where id = ? and warc_file is not null",
                             [version_id])).rows
    if not rows:
        raise NotFound("该报告没有存档副本")
    data_dir = Path(db.path).parent
    url, headers, body = read_snapshot(data_dir, rows[0]["warc_file"], rows[0]["warc_offset"])
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "application/octet-stream")
    return Response(body, content_type=content_type, headers={
        "Content-Security-Policy": SANDBOX, "X-Content-Type-Options": "nosniff",
        "X-Archived-From": url.encode("ascii", "backslashreplace").decode("ascii")})
