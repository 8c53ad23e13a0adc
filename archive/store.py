"""The archive database (SQLite through sqlite-utils): organs, reports, their sources, one row per
cell with its raw text, the checks, and the crawl runs.

Writes are idempotent: a report is keyed by its organ and year, a source by its URL, a cell by
report/table/row/column, so storing the same fetch twice changes nothing, and storing the same
report from a second URL adds a source, not a report.
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from . import regions, schema
from .report import ParsedReport
from .search import bigrams
from .snapshots import Snapshot

DB_NAME = "xxgk.db"

SCHEMA = {
    "organs": (
        {"id": str, "name": str, "level": str, "region_code": str, "parent_id": str,
         "province": str, "city": str, "county": str},
        "id",
    ),
    "regions": ({"code": str, "name": str, "level": str}, "code"),
    "reports": (
        {
            "id": str, "organ_id": str, "organ": str, "level": str, "province": str, "city": str,
            "county": str, "region_code": str, "year": int, "title": str, "template": str,
            "template_variant": str, "published": str, "url": str, "fetched_at": str, "source_format": str,
            "check_status": str, "flagged": int, "unknown_cells": int, "cell_count": int, "warnings": str,
        },
        "id",
    ),
    # The text lives beside the report, not in it: rows of reports stay small, so filtering,
    # counting and faceting a large search result reads a few pages instead of one per report.
    "report_texts": ({"report_id": str, "text": str}, "report_id"),
    "sources": (
        {"url": str, "report_id": str, "title": str, "published": str, "fetched_at": str, "sha256": str,
         "format": str, "site": str, "column": str, "warc_file": str, "warc_offset": int, "warc_record_id": str},
        "url",
    ),
    "cells": (
        {"id": str, "report_id": str, "table_name": str, "row_key": str, "col_key": str, "row_label": str,
         "col_label": str, "value": "ANY", "raw": str, "status": str, "unknown": int},
        "id",
    ),
    "checks": (
        {"id": str, "report_id": str, "check_name": str, "subject": str, "expected": str, "actual": str,
         "status": str, "detail": str},
        "id",
    ),
    "crawl_runs": (
        {"id": int, "started_at": str, "finished_at": str, "start_urls": str, "pages": int,
         "reports_seen": int, "reports_new": int, "reports_changed": int, "reports_unchanged": int,
         "failed": int, "blocked": int},
        "id",
    ),
}
FOREIGN_KEYS = {
    "reports": [("organ_id", "organs", "id")],
    "sources": [("report_id", "reports", "id")],
    "report_texts": [("report_id", "reports", "id")],
    "cells": [("report_id", "reports", "id")],
    "checks": [("report_id", "reports", "id")],
}
INDEXES = {
    "reports": [["year"], ["organ_id"], ["template"], ["check_status"], ["province"], ["city"], ["county"],
                ["published"]],
    "cells": [["report_id"], ["table_name", "row_key", "col_key"]],
    "checks": [["report_id"], ["status"]],
    "sources": [["report_id"]],
}


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _id(*parts) -> str:
    return hashlib.sha1("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def organ_level(name: str) -> str:
    if re.search(r"(镇|乡|街道|街道办事处)(人民政府)?$", name):
        return "town"
    if re.search(r"(局|委员会|委|办公室|办公厅|办|中心|院|队|所|署)$", name):
        return "department"
    if re.search(r"省(人民政府)?$", name):
        return "province"
    if re.search(r"(县|区|旗)(人民政府)?$", name):
        return "county"
    if re.search(r"市(人民政府)?$", name):
        return "city"
    return "other"


def wide_columns(table: str) -> list[tuple[str, str, str]]:
    """(column name, row key, column key) of the download table with one column per cell."""
    if table == "applications":
        pairs = [(r, c) for r, _, _ in schema.APPLICATION_ROWS for c, _ in schema.APPLICANT_COLUMNS]
    elif table == "reviews":
        pairs = [(r, c) for r, _ in schema.REVIEW_ROWS for c, _ in schema.REVIEW_COLUMNS]
    else:
        pairs = list(dict.fromkeys(
            (r, c) for layout in (schema.ACTIVE_2021, schema.ACTIVE_2019) for r, cols in layout.items() for c in cols))
    return [(f"{r}__{c}", r, c) for r, c in pairs]


WIDE_KEYS = ("report_id", "organ", "province", "city", "county", "year", "template", "check_status")


def _number(v):
    if v is None:
        return None
    return int(v) if v == v.to_integral_value() else float(v)


class Archive:
    def __init__(self, data_dir: str | Path):
        self.dir = Path(data_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.path = self.dir / DB_NAME
        self.db = sqlite_utils.Database(self.path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.ensure_schema()

    def ensure_schema(self) -> None:
        for name, (columns, pk) in SCHEMA.items():
            table = self.db[name]
            if not table.exists():
                table.create(columns, pk=pk, foreign_keys=FOREIGN_KEYS.get(name), not_null={pk})
                for cols in INDEXES.get(name, []):
                    table.create_index(cols, if_not_exists=True)
        if not self.db["regions"].count:
            self.db["regions"].insert_all(
                ({"code": c, "name": n, "level": "province"} for c, n in regions.PROVINCES.items()), pk="code")
        for table in schema.TABLES:
            wide = self.db[f"{table}_wide"]
            if not wide.exists():
                cols = {k: (int if k == "year" else str) for k in WIDE_KEYS}
                cols.update({name: "ANY" for name, _, _ in wide_columns(table)})
                wide.create(cols, pk="report_id", foreign_keys=[("report_id", "reports", "id")])
                wide.create_index(["year"])
                wide.create_index(["province", "city", "county"])
        if not self.db["search_index"].exists():
            # Contentless: the text lives in reports; the index holds only the pairs.
            self.db.execute(
                "CREATE VIRTUAL TABLE search_index USING fts5(title, organ, body, content='', "
                "contentless_delete=1, tokenize='unicode61')")

    # Reading -----------------------------------------------------------------------------------
    def known_digest(self, url: str) -> str | None:
        row = self.db.execute("select sha256 from sources where url = ?", [url]).fetchone()
        return row[0] if row else None

    def _known_regions(self) -> dict[str, str]:
        return dict(self.db.execute("select code, name from regions"))

    # Writing -----------------------------------------------------------------------------------
    def store(self, parsed: ParsedReport, *, url: str, body: bytes, fetched_at: str,
              published: str | None = None, site: str | None = None, column: str | None = None,
              portal: dict | None = None, snapshot: Snapshot | None = None) -> str:
        """Store one fetched report; returns "new", "unchanged", "new-source" or "changed"."""
        digest = sha256(body)
        old = self.known_digest(url)
        if old == digest:
            return "unchanged"
        organ = parsed.organ or (portal or {}).get("name") or site or "未知机关"
        report_id = _id(organ, parsed.year) if parsed.year else _id("url", url)
        exists = self.db.execute("select 1 from reports where id = ?", [report_id]).fetchone()
        with self.db.conn:
            place = self._store_organ(organ, site, portal)
            self.db["sources"].upsert(
                {"url": url, "report_id": report_id, "title": parsed.title, "published": published,
                 "fetched_at": fetched_at, "sha256": digest, "format": parsed.source_format,
                 "site": site, "column": column,
                 "warc_file": snapshot.warc_file if snapshot else None,
                 "warc_offset": snapshot.offset if snapshot else None,
                 "warc_record_id": snapshot.record_id if snapshot else None}, pk="url")
            if exists and not old:
                return "new-source"  # the same report listed again elsewhere: one report, two sources
            self._store_report(report_id, organ, place, parsed, url=url, fetched_at=fetched_at, published=published)
        return "changed" if old else "new"

    def _store_organ(self, name: str, site: str | None, portal: dict | None) -> dict:
        """Insert the organ (and its portal's body) with its place; returns the place."""
        portal = portal or {}
        known = self._known_regions()
        parent = portal.get("name") or site
        parent = parent if parent and parent != name else None
        code = regions.digits(portal.get("code"))
        if portal.get("name") and code and portal.get("level") in ("city", "county", "province"):
            prefix = code[: regions.LEVEL_PREFIX[portal["level"]]]
            if prefix not in known:
                self.db["regions"].insert({"code": prefix, "name": regions.region_name(portal["name"]),
                                           "level": portal["level"]}, pk="code", ignore=True)
                known[prefix] = regions.region_name(portal["name"])
        place = regions.place_from_code(code, known)
        for key in ("province", "city", "county"):
            if portal.get(key):
                place[key] = portal[key]
        by_name = regions.place_from_name(name if not parent else parent)
        for key, value in by_name.items():
            place[key] = place[key] or value
        level = portal.get("level") if portal.get("name") == name and portal.get("level") else organ_level(name)
        if parent:
            self.db["organs"].insert({"id": parent, "name": parent, "level": portal.get("level") or organ_level(parent),
                                      "region_code": code or None, "parent_id": portal.get("parent"), **place},
                                     pk="id", ignore=True)
        self.db["organs"].insert({"id": name, "name": name, "level": level, "region_code": code or None,
                                  "parent_id": parent, **place}, pk="id", ignore=True)
        return {"level": level, "region_code": code or None, **place}

    def _store_report(self, report_id: str, organ: str, place: dict, parsed: ParsedReport, *, url, fetched_at,
                      published):
        checks = parsed.checks
        statuses = {c["status"] for c in checks}
        check_status = ("failed" if "failed" in statuses else "passed" if "passed" in statuses
                        else "not_checkable" if statuses else "unchecked")
        cells = list(parsed.cells())
        self.db["reports"].upsert({
            "id": report_id, "organ_id": organ, "organ": organ, **place, "year": parsed.year,
            "title": parsed.title, "template": parsed.template, "template_variant": parsed.template_variant,
            "published": published, "url": url, "fetched_at": fetched_at, "source_format": parsed.source_format,
            "check_status": check_status, "flagged": int(parsed.flagged), "unknown_cells": len(parsed.unknown_cells),
            "cell_count": len(cells), "warnings": json.dumps(parsed.warnings, ensure_ascii=False),
        }, pk="id")
        self.db["report_texts"].upsert({"report_id": report_id, "text": parsed.text}, pk="report_id")
        for table in ("cells", "checks"):
            self.db.execute(f"delete from {table} where report_id = ?", [report_id])
        unknown = set(parsed.unknown_cells)
        self.db["cells"].insert_all(({
            "id": f"{report_id}/{table}/{row}/{col}", "report_id": report_id, "table_name": table,
            "row_key": row, "col_key": col,
            "row_label": schema.ROW_LABELS[table].get(row, row), "col_label": schema.COLUMN_LABELS[table].get(col, col),
            "value": _number(v.number), "raw": v.raw, "status": v.status,
            "unknown": int(f"{table}.{row}.{col}" in unknown),
        } for table, row, col, v in cells), pk="id")
        self.db["checks"].insert_all(({
            "id": f"{report_id}/{i}", "report_id": report_id, "check_name": c["check"],
            "subject": c.get("subject") or "/".join(str(c.get(k)) for k in ("table", "row", "column") if c.get(k)),
            "expected": None if c.get("expected") is None else str(c["expected"]),
            "actual": None if c.get("actual") is None else str(c["actual"]),
            "status": c["status"], "detail": c.get("detail"),
        } for i, c in enumerate(checks)), pk="id")
        self._store_wide(report_id, organ, place, parsed, check_status)
        rowid = self.db.execute("select rowid from reports where id = ?", [report_id]).fetchone()[0]
        self.db.execute("delete from search_index where rowid = ?", [rowid])
        self.db.execute("insert into search_index (rowid, title, organ, body) values (?, ?, ?, ?)",
                        [rowid, bigrams(parsed.title or ""), bigrams(organ), bigrams(parsed.text or "")])

    def _store_wide(self, report_id, organ, place, parsed: ParsedReport, check_status) -> None:
        base = {"report_id": report_id, "organ": organ, "province": place.get("province"), "city": place.get("city"),
                "county": place.get("county"), "year": parsed.year, "template": parsed.template,
                "check_status": check_status}
        for table in schema.TABLES:
            rows = parsed.tables.get(table)
            if not rows:
                self.db.execute(f"delete from {table}_wide where report_id = ?", [report_id])
                continue
            record = dict(base)
            for name, row, col in wide_columns(table):
                v = rows.get(row, {}).get(col)
                record[name] = _number(v.number) if v is not None else None
            self.db[f"{table}_wide"].upsert(record, pk="report_id")

    # Crawl runs --------------------------------------------------------------------------------
    def start_run(self, start_urls: list[str]) -> int:
        return self.db["crawl_runs"].insert(
            {"started_at": now(), "start_urls": json.dumps(start_urls, ensure_ascii=False)}, pk="id").last_pk

    def finish_run(self, run_id: int, **counts) -> None:
        self.db["crawl_runs"].update(run_id, {"finished_at": now(), **counts})

    def close(self) -> None:
        """Fold the write-ahead log into the database file: Datasette serves it immutable, and an
        immutable reader does not see what is still in the WAL."""
        self.db.execute("PRAGMA optimize")  # statistics for the query planner, cheap when current
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.conn.close()

    def counts(self) -> dict[str, int]:
        return {name: self.db[name].count for name in SCHEMA}
