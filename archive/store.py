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

from . import schema
from .report import ParsedReport

DB_NAME = "xxgk.db"

SCHEMA = {
    "organs": (
        {"id": str, "name": str, "level": str, "region_code": str, "parent_id": str},
        "id",
    ),
    "reports": (
        {
            "id": str, "organ_id": str, "organ": str, "year": int, "title": str, "template": str,
            "template_variant": str, "published": str, "url": str, "fetched_at": str, "source_format": str,
            "check_status": str, "flagged": int, "unknown_cells": int, "cell_count": int, "text": str,
            "warnings": str,
        },
        "id",
    ),
    "sources": (
        {"url": str, "report_id": str, "title": str, "published": str, "fetched_at": str, "sha256": str,
         "format": str, "site": str, "column": str},
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
    "cells": [("report_id", "reports", "id")],
    "checks": [("report_id", "reports", "id")],
}
INDEXES = {
    "reports": [["year"], ["organ_id"], ["template"], ["check_status"]],
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
    if re.search(r"(局|委员会|委|办公室|办|中心|院|队|所|署)$", name):
        return "department"
    if re.search(r"省(人民政府)?$", name):
        return "province"
    if re.search(r"(县|区|旗)(人民政府)?$", name):
        return "county"
    if re.search(r"市(人民政府)?$", name):
        return "city"
    return "other"


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
        if not self.db["reports_fts"].exists():
            self.db["reports"].enable_fts(["title", "organ", "text"], tokenize="trigram", create_triggers=True)

    # Writing -----------------------------------------------------------------------------------
    def store(self, parsed: ParsedReport, *, url: str, body: bytes, fetched_at: str,
              published: str | None = None, site: str | None = None, column: str | None = None) -> str:
        """Store one fetched report; returns "new", "unchanged", "new-source" or "changed"."""
        digest = sha256(body)
        old = self.db.execute("select sha256, report_id from sources where url = ?", [url]).fetchone()
        if old and old[0] == digest:
            return "unchanged"
        organ = parsed.organ or site or "未知机关"
        report_id = _id(organ, parsed.year) if parsed.year else _id("url", url)
        exists = self.db.execute("select 1 from reports where id = ?", [report_id]).fetchone()
        with self.db.conn:
            self._store_organ(organ, site)
            self.db["sources"].upsert(
                {"url": url, "report_id": report_id, "title": parsed.title, "published": published,
                 "fetched_at": fetched_at, "sha256": digest, "format": parsed.source_format,
                 "site": site, "column": column}, pk="url")
            if exists and not old:
                return "new-source"  # the same report listed again elsewhere: one report, two sources
            self._store_report(report_id, organ, parsed, url=url, fetched_at=fetched_at, published=published)
        return "changed" if old else "new"

    def _store_organ(self, name: str, site: str | None) -> None:
        parent = site if site and site != name else None
        if parent:
            self.db["organs"].insert({"id": parent, "name": parent, "level": organ_level(parent)}, pk="id", ignore=True)
        self.db["organs"].insert(
            {"id": name, "name": name, "level": organ_level(name), "parent_id": parent}, pk="id", ignore=True)

    def _store_report(self, report_id: str, organ: str, parsed: ParsedReport, *, url, fetched_at, published):
        checks = parsed.checks
        statuses = {c["status"] for c in checks}
        check_status = ("failed" if "failed" in statuses else "passed" if "passed" in statuses
                        else "not_checkable" if statuses else "unchecked")
        cells = list(parsed.cells())
        self.db["reports"].upsert({
            "id": report_id, "organ_id": organ, "organ": organ, "year": parsed.year, "title": parsed.title,
            "template": parsed.template, "template_variant": parsed.template_variant, "published": published,
            "url": url, "fetched_at": fetched_at, "source_format": parsed.source_format,
            "check_status": check_status, "flagged": int(parsed.flagged), "unknown_cells": len(parsed.unknown_cells),
            "cell_count": len(cells), "text": parsed.text, "warnings": json.dumps(parsed.warnings, ensure_ascii=False),
        }, pk="id")
        self.db.execute("delete from cells where report_id = ?", [report_id])
        self.db.execute("delete from checks where report_id = ?", [report_id])
        unknown = set(parsed.unknown_cells)
        self.db["cells"].insert_all(({
            "id": f"{report_id}/{table}/{row}/{col}", "report_id": report_id, "table_name": table,
            "row_key": row, "col_key": col,
            "row_label": schema.ROW_LABELS[table].get(row, row), "col_label": schema.COLUMN_LABELS[table].get(col, col),
            "value": None if v.number is None else (int(v.number) if v.number == v.number.to_integral_value() else float(v.number)),
            "raw": v.raw, "status": v.status, "unknown": int(f"{table}.{row}.{col}" in unknown),
        } for table, row, col, v in cells), pk="id")
        self.db["checks"].insert_all(({
            "id": f"{report_id}/{i}", "report_id": report_id, "check_name": c["check"],
            "subject": c.get("subject") or "/".join(str(c.get(k)) for k in ("table", "row", "column") if c.get(k)),
            "expected": None if c.get("expected") is None else str(c["expected"]),
            "actual": None if c.get("actual") is None else str(c["actual"]),
            "status": c["status"], "detail": c.get("detail"),
        } for i, c in enumerate(checks)), pk="id")

    # Crawl runs --------------------------------------------------------------------------------
    def start_run(self, start_urls: list[str]) -> int:
        return self.db["crawl_runs"].insert(
            {"started_at": now(), "start_urls": json.dumps(start_urls, ensure_ascii=False)}, pk="id").last_pk

    def finish_run(self, run_id: int, **counts) -> None:
        self.db["crawl_runs"].update(run_id, {"finished_at": now(), **counts})

    def close(self) -> None:
        """Fold the write-ahead log into the database file: Datasette serves it immutable, and an
        immutable reader does not see what is still in the WAL."""
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.conn.close()

    def counts(self) -> dict[str, int]:
        return {name: self.db[name].count for name in SCHEMA}
