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
from contextlib import contextmanager
from dataclasses import dataclass, field
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
            "check_status": str, "flagged": int, "incomplete": int, "unknown_cells": int, "cell_count": int, "warnings": str,
            "version": int, "version_id": str, "online": int,
        },
        "id",
    ),
    # The text lives beside the report, not in it: rows of reports stay small, so filtering,
    # counting and faceting a large search result reads a few pages instead of one per report.
    "report_texts": ({"report_id": str, "text": str}, "report_id"),
    "sources": (
        {"url": str, "report_id": str, "title": str, "published": str, "fetched_at": str, "sha256": str,
         "format": str, "site": str, "column": str, "portal": str, "warc_file": str, "warc_offset": int,
         "warc_record_id": str, "etag": str, "last_modified": str, "via": str, "version_id": str, "online": int,
         "first_seen_run": int, "last_seen_run": int, "gone_since": str,
         # The list entry that leads to this source: the article's URL (for a file, the article
         # linking it) and [title, date] as listed; a re-crawl does not fetch an unchanged entry.
         "entry_url": str, "entry": str},
        "url",
    ),
    # One row per distinct content of a report: a report re-posted with corrections gets a new
    # version, the earlier ones stay; `current` marks the one the cells, checks and wide tables hold.
    "versions": (
        {"id": str, "report_id": str, "version": int, "current": int, "content_sha256": str, "url": str,
         "fetched_at": str, "published": str, "sha256": str, "warc_file": str, "warc_offset": int,
         "warc_record_id": str, "snapshot": str, "superseded_at": str},
        "id",
    ),
    "cells": (
        {"id": str, "report_id": str, "table_name": str, "row_key": str, "col_key": str, "row_label": str,
         "col_label": str, "value": "ANY", "raw": str, "status": str, "unknown": int,
         "version_id": str, "source_url": str, "fetched_at": str, "snapshot": str},
        "id",
    ),
    # Cells of superseded versions, as they were: nothing archived is ever lost.
    "cells_history": (
        {"id": str, "report_id": str, "version_id": str, "table_name": str, "row_key": str, "col_key": str,
         "value": "ANY", "raw": str, "status": str, "unknown": int},
        "id",
    ),
    "checks": (
        {"id": str, "report_id": str, "check_name": str, "subject": str, "expected": str, "actual": str,
         "status": str, "detail": str, "version_id": str, "source_url": str, "fetched_at": str, "snapshot": str},
        "id",
    ),
    "crawl_runs": (
        {"id": int, "started_at": str, "finished_at": str, "status": str, "start_urls": str, "pages": int,
         "reports_seen": int, "reports_new": int, "reports_changed": int, "reports_unchanged": int,
         "not_modified": int, "gone": int, "failed": int, "blocked": int},
        "id",
    ),
}
FOREIGN_KEYS = {
    "reports": [("organ_id", "organs", "id")],
    "sources": [("report_id", "reports", "id")],
    "report_texts": [("report_id", "reports", "id")],
    "cells": [("report_id", "reports", "id"), ("version_id", "versions", "id")],
    "checks": [("report_id", "reports", "id"), ("version_id", "versions", "id")],
    "versions": [("report_id", "reports", "id")],
    "cells_history": [("report_id", "reports", "id"), ("version_id", "versions", "id")],
}
INDEXES = {
    "reports": [["year"], ["organ_id"], ["template"], ["check_status"], ["province"], ["city"], ["county"],
                ["published"]],
    "cells": [["report_id"], ["table_name", "row_key", "col_key"]],
    "checks": [["report_id"], ["status"]],
    "sources": [["report_id"], ["portal"], ["via"], ["entry_url"]],
    "versions": [["report_id"]],
    "cells_history": [["report_id"], ["version_id"]],
}


# What the published archive's pages filter on at scale (bench/serve.py): a CSV export of one
# province-year of a wide table reads that province-year's rows, not a whole province's.
# Created on open, so an archive made by an earlier version gains them.
SERVING_INDEXES = {f"{t}_wide": [["province", "year"]] for t in schema.TABLES}


def ensure_serving_indexes(db: sqlite_utils.Database) -> None:
    for table, indexes in SERVING_INDEXES.items():
        if db[table].exists():
            for cols in indexes:
                db[table].create_index(cols, if_not_exists=True)


# How many reports hold each value of the columns the reports page facets on, kept exact by
# triggers in the transaction that writes a report: the unfiltered page reads these few rows
# instead of grouping every report (archive/web/facets.py). Built from the table on open when
# missing, so an archive made by an earlier version gains it.
FACET_COUNTED = {"reports": ("province", "city", "county", "year", "template", "check_status", "level",
                             "source_format")}


def ensure_facet_counts(db: sqlite_utils.Database) -> None:
    if not db["facet_counts"].exists():
        _create_facet_counts(db.conn)
    # A facet's most frequent values, read in order (a column may hold thousands: counties).
    db.execute("create index if not exists facet_counts_by_count on facet_counts"
               " (table_name, column_name, count desc, value)")


def _create_facet_counts(conn) -> None:
    with conn:
        conn.execute("create table facet_counts (table_name text not null, column_name text not null,"
                     " value not null, count integer not null, primary key (table_name, column_name, value))")
        for table, columns in FACET_COUNTED.items():
            for col in columns:
                conn.execute(f"insert into facet_counts select '{table}', '{col}', [{col}], count(*) from [{table}]"
                             f" where [{col}] is not null group by [{col}]")
            add = lambda row, col: (  # noqa: E731
                f"insert into facet_counts select '{table}', '{col}', {row}.[{col}], 1 where {row}.[{col}] is not null"
                " on conflict (table_name, column_name, value) do update set count = count + 1;")
            remove = lambda row, col: (  # noqa: E731
                f"update facet_counts set count = count - 1 where table_name = '{table}' and column_name = '{col}'"
                f" and value = {row}.[{col}]; delete from facet_counts where table_name = '{table}'"
                f" and column_name = '{col}' and value = {row}.[{col}] and count <= 0;")
            conn.execute(f"create trigger facet_counts_{table}_insert after insert on [{table}] begin "
                         + " ".join(add("new", c) for c in columns) + " end")
            conn.execute(f"create trigger facet_counts_{table}_delete after delete on [{table}] begin "
                         + " ".join(remove("old", c) for c in columns) + " end")
            for col in columns:
                conn.execute(f"create trigger facet_counts_{table}_{col} after update of [{col}] on [{table}]"
                             f" when old.[{col}] is not new.[{col}] begin {remove('old', col)} {add('new', col)} end")


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


def content_digest(parsed: ParsedReport) -> str:
    """What makes two fetches the same version of a report: the numbers and raw text of its tables
    (an HTML page and its PDF carry the same tables in different wrappings). A report without
    tables (pre-2019) is one version per title: the text around it differs from one listing
    of the same page to the next, and a correction could not be told from that noise."""
    if parsed.tables:
        payload = sorted((t, r, c, v.raw, str(v.number)) for t, r, c, v in parsed.cells())
    else:
        payload = re.sub(r"\s+", "", parsed.title or "")
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()


def host_of(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc


WIDE_KEYS = ("report_id", "organ", "province", "city", "county", "year", "template", "check_status")
_WIDE = {t: wide_columns(t) for t in schema.TABLES}


def _number(v):
    if v is None:
        return None
    return int(v) if v == v.to_integral_value() else float(v)


CELL_COLUMNS = ("id", "report_id", "table_name", "row_key", "col_key", "row_label", "col_label", "value", "raw",
                "status", "unknown", "version_id", "source_url", "fetched_at", "snapshot")
CHECK_COLUMNS = ("id", "report_id", "check_name", "subject", "expected", "actual", "status", "detail", "version_id",
                 "source_url", "fetched_at", "snapshot")


@dataclass
class Prepared:
    """A parsed report as the archive writes it, its rows built where it was parsed: in a crawl,
    a reader process (crawler/reading.py), so that the crawl process, which writes every
    report of every portal, only adds the report's id, version and source to each row. Plain
    tuples, not the parser's objects: a reader's result crosses to the crawl process pickled."""
    organ: str | None
    year: int | None
    title: str | None
    template: str | None
    template_variant: str | None
    source_format: str | None
    text: str
    flagged: int
    incomplete: int
    unknown_cells: int
    warnings: str  # JSON
    check_status: str
    content: str  # content_digest
    # (table/row/col, table, row, col, row label, col label, value, raw, status, unknown)
    cells: list[tuple] = field(default_factory=list)
    # (index, check, subject, expected, actual, status, detail)
    checks: list[tuple] = field(default_factory=list)
    # wide table -> its values in wide_columns() order, or None when the report has no such table
    wide: dict[str, list | None] = field(default_factory=dict)
    title_index: str = ""  # bigrams of the title and of the text, for the search index
    text_index: str = ""


def prepare(parsed: "ParsedReport | Prepared") -> Prepared:
    """The rows of a parsed report (idempotent: a Prepared is returned as it is)."""
    if isinstance(parsed, Prepared):
        return parsed
    statuses = {c["status"] for c in parsed.checks}
    check_status = ("failed" if "failed" in statuses else "passed" if "passed" in statuses
                    else "not_checkable" if statuses else "unchecked")
    unknown = set(parsed.unknown_cells)
    cells = [(f"{table}/{row}/{col}", table, row, col, schema.ROW_LABELS[table].get(row, row),
              schema.COLUMN_LABELS[table].get(col, col), _number(v.number), v.raw, v.status,
              int(f"{table}.{row}.{col}" in unknown))
             for table, row, col, v in parsed.cells()]
    checks = [(i, c["check"],
               c.get("subject") or "/".join(str(c.get(k)) for k in ("table", "row", "column") if c.get(k)),
               None if c.get("expected") is None else str(c["expected"]),
               None if c.get("actual") is None else str(c["actual"]), c["status"], c.get("detail"))
              for i, c in enumerate(parsed.checks)]
    wide = {}
    for table in schema.TABLES:
        rows = parsed.tables.get(table)
        if not rows:
            wide[table] = None
            continue
        values = []
        for _, row, col in _WIDE[table]:
            v = rows.get(row, {}).get(col)
            values.append(_number(v.number) if v is not None else None)
        wide[table] = values
    return Prepared(
        organ=parsed.organ, year=parsed.year, title=parsed.title, template=parsed.template,
        template_variant=parsed.template_variant, source_format=parsed.source_format, text=parsed.text,
        flagged=int(parsed.flagged), incomplete=int(parsed.incomplete), unknown_cells=len(parsed.unknown_cells),
        warnings=json.dumps(parsed.warnings, ensure_ascii=False), check_status=check_status,
        content=content_digest(parsed), cells=cells, checks=checks, wide=wide,
        title_index=bigrams(parsed.title or ""), text_index=bigrams(parsed.text or ""))


class Archive:
    def __init__(self, data_dir: str | Path):
        self.dir = Path(data_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.path = self.dir / DB_NAME
        self.db = sqlite_utils.Database(self.path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self._deferred: list[tuple[str, str, list]] = []  # (report id, SQL, rows) written at the batch's end
        self._deferred_ids: set[str] = set()
        self._organ_places: dict[tuple, dict] = {}  # organs stored by this connection: their places
        self.ensure_schema()

    def ensure_schema(self) -> None:
        for name, (columns, pk) in SCHEMA.items():
            table = self.db[name]
            if not table.exists():
                table.create(columns, pk=pk, foreign_keys=FOREIGN_KEYS.get(name), not_null={pk})
                for cols in INDEXES.get(name, []):
                    table.create_index(cols, if_not_exists=True)
            else:  # an archive made by an earlier version gains the columns added since
                for col, kind in columns.items():
                    if col not in table.columns_dict:
                        table.add_column(col, kind)
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
        ensure_serving_indexes(self.db)
        ensure_facet_counts(self.db)
        if not self.db["search_index"].exists():
            # Contentless: the text lives in reports; the index holds only the pairs.
            self.db.execute(
                "CREATE VIRTUAL TABLE search_index USING fts5(title, organ, body, content='', "
                "contentless_delete=1, tokenize='unicode61')")

    # Rows are written with plain SQL: sqlite-utils' write methods commit on their own, and a
    # report's rows (version, source, report, cells, checks, wide rows, index) must land together
    # or not at all, whatever moment a crawl is killed at.
    def _put(self, table: str, rows, pk: str, conflict: str = "update") -> None:
        rows = [r for r in rows]
        if rows:
            self.db.conn.executemany(*self._upsert(table, rows, pk, conflict))

    @staticmethod
    def _upsert(table: str, rows: list[dict], pk: str, conflict: str = "update") -> tuple[str, list[tuple]]:
        """The statement and parameters that write `rows` (dicts with the same keys)."""
        cols = list(rows[0])
        sql = f"insert into [{table}] ({', '.join(f'[{c}]' for c in cols)}) values ({', '.join('?' * len(cols))})"
        if conflict == "ignore":
            sql += f" on conflict([{pk}]) do nothing"
        elif conflict == "update":
            updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in cols if c != pk)
            sql += f" on conflict([{pk}]) do update set {updates}" if updates else f" on conflict([{pk}]) do nothing"
        return sql, [tuple(map(r.get, cols)) for r in rows]

    @contextmanager
    def atomic(self):
        """One report's rows, all or none. Alone, a transaction of its own; inside a batch
        (`begin_batch`), a savepoint: the batch commits as a whole or not at all."""
        conn = self.db.conn
        if not conn.in_transaction:
            try:
                with conn:
                    yield
                    self._write_deferred()
            except BaseException:
                self._forget_deferred(0)
                self._organ_places.clear()
                raise
            return
        conn.execute("SAVEPOINT one_report")
        queued = len(self._deferred)
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK TO one_report")
            conn.execute("RELEASE one_report")
            self._forget_deferred(queued)
            self._organ_places.clear()
            raise
        conn.execute("RELEASE one_report")

    # A report's cells and its search-index entry are written at the end of its batch, not in its
    # savepoint: SQLite copies every page a savepoint touches into its statement journal, and
    # FTS5 writes its pending terms out as a new segment at every savepoint; with ~200 cells per
    # report spread over the cells' indexes, that doubled the cost of storing them (measured).
    # They commit in the same transaction as the report's other rows; a report stored again in
    # the same batch has its queued rows written first (`_settle`), and a report whose
    # savepoint rolls back has them dropped.
    def _defer(self, report_id: str, sql: str, rows: list) -> None:
        self._deferred.append((report_id, sql, rows))
        self._deferred_ids.add(report_id)

    def _forget_deferred(self, keep: int) -> None:
        del self._deferred[keep:]
        self._deferred_ids = {r for r, _, _ in self._deferred}

    def _settle(self, report_id: str) -> None:
        """Write the queued rows now if `report_id` has some: its rows are about to be read or replaced."""
        if report_id in self._deferred_ids:
            self._write_deferred()

    def _write_deferred(self) -> None:
        conn = self.db.conn
        for _, sql, rows in self._deferred:
            conn.executemany(sql, rows)
        self._deferred.clear()
        self._deferred_ids.clear()

    def begin_batch(self) -> None:
        """Open a batch: what is written next commits together, at `commit_batch`."""
        if not self.db.conn.in_transaction:
            self.db.conn.execute("BEGIN")

    def commit_batch(self) -> None:
        try:
            self._write_deferred()
            self.db.conn.commit()
        except BaseException:
            self._organ_places.clear()  # the batch may be lost: its organs with it
            raise

    # Reading -----------------------------------------------------------------------------------
    def known_digest(self, url: str) -> str | None:
        row = self.db.execute("select sha256 from sources where url = ?", [url]).fetchone()
        return row[0] if row else None

    def _known_regions(self) -> dict[str, str]:
        return dict(self.db.execute("select code, name from regions"))

    # Writing -----------------------------------------------------------------------------------
    def store(self, parsed: ParsedReport | Prepared, *, url: str, body: bytes, fetched_at: str,
              published: str | None = None, site: str | None = None, column: str | None = None,
              portal: dict | None = None, snapshot: Snapshot | None = None, run_id: int | None = None,
              etag: str | None = None, last_modified: str | None = None, via: str | None = None,
              entry: tuple[str, str] | None = None, digest: str | None = None) -> str:
        """Store one fetched report. Returns "unchanged" (the same bytes as last time), "new" (a
        report not archived before), "new-source" (a known report at another URL, same tables),
        "changed" (new bytes, same tables: a new snapshot of the same version) or "corrected"
        (different tables: a new version, the earlier one kept). `digest`: the body's SHA-256,
        when the caller has it already. `parsed`: the parser's report, or its rows (`prepare`)."""
        digest = digest or sha256(body)
        old = self.known_digest(url)
        if old == digest:
            self.seen(url, run_id, entry)
            return "unchanged"
        parsed = prepare(parsed)
        organ = parsed.organ or (portal or {}).get("name") or site or "未知机关"
        report_id = _id(organ, parsed.year) if parsed.year else _id("url", url)
        self._settle(report_id)
        current = self.db.execute("select id, version, content_sha256 from versions where report_id = ? and current = 1",
                                  [report_id]).fetchone()
        content = parsed.content
        portal_key = (portal or {}).get("name") or host_of(column or url)
        with self.atomic():
            place = self._store_organ(organ, site, portal)
            if current and current[2] == content:
                version_id, outcome = current[0], ("changed" if old else "new-source")
            else:
                number = (current[1] + 1) if current else 1
                version_id = f"{report_id}/v{number}"
                if current:
                    self._supersede(report_id, current[0], fetched_at)
                self._put("versions", [{
                    "id": version_id, "report_id": report_id, "version": number, "current": 1,
                    "content_sha256": content, "url": url, "fetched_at": fetched_at, "published": published,
                    "sha256": digest, "warc_file": snapshot.warc_file if snapshot else None,
                    "warc_offset": snapshot.offset if snapshot else None,
                    "warc_record_id": snapshot.record_id if snapshot else None,
                    "snapshot": f"/snapshot/{version_id}" if snapshot else None}], "id", conflict="error")
                outcome = "corrected" if current else "new"
            known = self.db.execute("select first_seen_run from sources where url = ?", [url]).fetchone()
            self._put("sources", [
                {"url": url, "report_id": report_id, "title": parsed.title, "published": published,
                 "fetched_at": fetched_at, "sha256": digest, "format": parsed.source_format,
                 "site": site, "column": column, "portal": portal_key,
                 "warc_file": snapshot.warc_file if snapshot else None,
                 "warc_offset": snapshot.offset if snapshot else None,
                 "warc_record_id": snapshot.record_id if snapshot else None,
                 "etag": etag, "last_modified": last_modified, "via": via, "version_id": version_id, "online": 1,
                 "first_seen_run": known[0] if known else run_id, "last_seen_run": run_id, "gone_since": None,
                 "entry_url": entry[0] if entry else None, "entry": entry[1] if entry else None}],
                "url")
            if outcome in ("new", "corrected"):
                self._store_report(report_id, organ, place, parsed, url=url, fetched_at=fetched_at,
                                   published=published, version_id=version_id,
                                   snapshot=f"/snapshot/{version_id}" if snapshot else None)
            else:
                self.db.execute("update reports set online = 1 where id = ?", [report_id])
        return outcome

    def seen(self, url: str, run_id: int | None, entry: tuple[str, str] | None = None) -> None:
        """The portal still lists this URL (its list entry unchanged, fetched unchanged, answered
        304 Not Modified, or refused by a limit): it and the files linked from it (`via`, or filed
        under its list entry), which a page that was not fetched again does not lead to, are
        still online. `entry` (entry URL, [title, date]) records the list entry it was reached by."""
        if run_id is None:
            return
        with self.atomic():
            self.db.execute("update sources set last_seen_run = ?2, online = 1, gone_since = null"
                            " where url = ?1 or via = ?1 or entry_url = ?1", [url, run_id])
            if entry:
                self.db.execute("update sources set entry_url = ?2, entry = ?3 where url = ?1", [url, *entry])
            self.db.execute("update reports set online = 1 where online = 0 and id in (select report_id from sources"
                            " where url = ?1 or via = ?1 or entry_url = ?1)", [url])

    def mark_gone(self, portal_key: str, run_id: int) -> int:
        """Sources of a portal that a complete crawl did not see again are no longer online; their
        reports stay in the archive, marked offline when no source of theirs is left online."""
        with self.db.conn:
            n = self.db.execute(
                "update sources set online = 0, gone_since = ? where portal = ? and online = 1"
                " and (last_seen_run is null or last_seen_run < ?)", [now(), portal_key, run_id]).rowcount
            self.db.execute(
                "update reports set online = 0 where online = 1 and id in (select report_id from sources where portal = ?)"
                " and not exists (select 1 from sources s where s.report_id = reports.id and s.online = 1)", [portal_key])
        return n

    def _supersede(self, report_id: str, version_id: str, when: str) -> None:
        self.db.execute(
            "insert or ignore into cells_history (id, report_id, version_id, table_name, row_key, col_key, value, raw,"
            " status, unknown) select ? || '/' || table_name || '/' || row_key || '/' || col_key, report_id, ?,"
            " table_name, row_key, col_key, value, raw, status, unknown from cells where report_id = ?",
            [version_id, version_id, report_id])
        self.db.execute("update versions set current = 0, superseded_at = ? where id = ?", [when, version_id])

    def _store_organ(self, name: str, site: str | None, portal: dict | None) -> dict:
        """Insert the organ (and its portal's body) with its place; returns the place. Once per
        organ and portal: the rows are in (or were rolled back, which empties the memo)."""
        portal = portal or {}
        key = (name, site, *(portal.get(k) for k in ("name", "code", "level", "province", "city", "county", "parent")))
        place = self._organ_places.get(key)
        if place is None:
            place = self._organ_places[key] = self._insert_organ(name, site, portal)
        return dict(place)

    def _insert_organ(self, name: str, site: str | None, portal: dict) -> dict:
        known = self._known_regions()
        parent = portal.get("name") or site
        parent = parent if parent and parent != name else None
        code = regions.digits(portal.get("code"))
        if portal.get("name") and code and portal.get("level") in ("city", "county", "province"):
            prefix = code[: regions.LEVEL_PREFIX[portal["level"]]]
            if prefix not in known:
                self._organ_places.clear()  # a new region: places found before may read it
                self._put("regions", [{"code": prefix, "name": regions.region_name(portal["name"]),
                                       "level": portal["level"]}], "code", conflict="ignore")
                known[prefix] = regions.region_name(portal["name"])
        place = regions.place_from_code(code, known)
        for key in ("province", "city", "county"):
            if portal.get(key):
                place[key] = portal[key]
        by_name = regions.place_from_name(name if not parent else parent)
        for key, value in by_name.items():
            place[key] = place[key] or value
        if portal.get("parent"):
            # A county portal's parent in the registry is its city's government (江苏省淮安市人民政府).
            above = regions.place_from_name(portal["parent"])
            place["city"] = place["city"] or above["city"]
            place["province"] = place["province"] or above["province"]
            self._put("organs", [{"id": portal["parent"], "name": portal["parent"], "level": organ_level(portal["parent"]),
                                  **above}], "id", conflict="ignore")
        level = portal.get("level") if portal.get("name") == name and portal.get("level") else organ_level(name)
        if parent:
            self._put("organs", [{"id": parent, "name": parent, "level": portal.get("level") or organ_level(parent),
                                  "region_code": code or None, "parent_id": portal.get("parent"), **place}],
                      "id", conflict="ignore")
        # The portal's own body sits under the portal's parent; any other organ under the portal's body.
        self._put("organs", [{"id": name, "name": name, "level": level, "region_code": code or None,
                              "parent_id": parent or portal.get("parent"), **place}], "id", conflict="ignore")
        return {"level": level, "region_code": code or None, **place}

    def _store_report(self, report_id: str, organ: str, place: dict, parsed: Prepared, *, url, fetched_at,
                      published, version_id, snapshot):
        check_status = parsed.check_status
        self._put("reports", [{
            "id": report_id, "organ_id": organ, "organ": organ, **place, "year": parsed.year,
            "title": parsed.title, "template": parsed.template, "template_variant": parsed.template_variant,
            "published": published, "url": url, "fetched_at": fetched_at, "source_format": parsed.source_format,
            "check_status": check_status, "flagged": parsed.flagged, "incomplete": parsed.incomplete,
            "unknown_cells": parsed.unknown_cells,
            "cell_count": len(parsed.cells), "warnings": parsed.warnings,
            "version": int(version_id.rsplit("/v", 1)[1]), "version_id": version_id, "online": 1,
        }], "id")
        self._put("report_texts", [{"report_id": report_id, "text": parsed.text}], "report_id")
        for table in ("cells", "checks"):
            self.db.execute(f"delete from {table} where report_id = ?", [report_id])
        prefix, source = report_id + "/", (version_id, url, fetched_at, snapshot)
        if parsed.cells:
            self._defer(report_id, _CELLS_SQL, [(prefix + c[0], report_id, *c[1:], *source) for c in parsed.cells])
        if parsed.checks:
            self.db.conn.executemany(_CHECKS_SQL, [(f"{prefix}{c[0]}", report_id, *c[1:], *source)
                                                   for c in parsed.checks])
        self._store_wide(report_id, organ, place, parsed, check_status)
        rowid = self.db.execute("select rowid from reports where id = ?", [report_id]).fetchone()[0]
        self.db.execute("delete from search_index where rowid = ?", [rowid])
        self._defer(report_id, "insert into search_index (rowid, title, organ, body) values (?, ?, ?, ?)",
                    [(rowid, parsed.title_index, bigrams(organ), parsed.text_index)])

    def _store_wide(self, report_id, organ, place, parsed: Prepared, check_status) -> None:
        base = (report_id, organ, place.get("province"), place.get("city"), place.get("county"), parsed.year,
                parsed.template, check_status)
        for table in schema.TABLES:
            values = parsed.wide.get(table)
            if values is None:
                self.db.execute(f"delete from {table}_wide where report_id = ?", [report_id])
                continue
            self.db.conn.execute(_WIDE_SQL[table], (*base, *values))

    # Crawl runs --------------------------------------------------------------------------------
    def start_run(self, start_urls: list[str]) -> int:
        with self.db.conn:
            # A run that never finished was killed: say so; the new run resumes after it.
            self.db.execute("update crawl_runs set status = 'interrupted' where finished_at is null")
            return self.db["crawl_runs"].insert(
                {"started_at": now(), "status": "running", "start_urls": json.dumps(start_urls, ensure_ascii=False)},
                pk="id").last_pk

    def resume_urls(self, run_id: int) -> set[str]:
        """URLs that the interrupted runs just before this one archived or saw: a resumed crawl
        need not fetch them again. Empty when the previous run finished."""
        runs = []
        for rid, status in self.db.execute("select id, status from crawl_runs where id < ? order by id desc", [run_id]):
            if status != "interrupted":
                break
            runs.append(rid)
        if not runs:
            return set()
        marks = ",".join("?" * len(runs))
        return {u for (u,) in self.db.execute(
            f"select url from sources where last_seen_run in ({marks}) or first_seen_run in ({marks})", runs + runs)}

    def finish_run(self, run_id: int, **counts) -> None:
        self.db["crawl_runs"].update(run_id, {"finished_at": now(), "status": "finished", **counts})

    def repair_snapshots(self) -> list[str]:
        """WARC files of a killed crawl cut back to what the database committed."""
        from .snapshots import repair

        referenced = dict(self.db.execute(
            "select warc_file, max(warc_offset) from (select warc_file, warc_offset from sources"
            " union all select warc_file, warc_offset from versions) where warc_file is not null group by warc_file"))
        return repair(self.dir, referenced)

    def close(self) -> None:
        """Fold the write-ahead log into the database file: a copy of the file alone (a backup,
        a published download) then holds everything."""
        self.db.execute("PRAGMA optimize")  # statistics for the query planner, cheap when current
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.conn.close()


_CELLS_SQL = Archive._upsert("cells", [dict.fromkeys(CELL_COLUMNS)], "id")[0]
_CHECKS_SQL = Archive._upsert("checks", [dict.fromkeys(CHECK_COLUMNS)], "id")[0]
_WIDE_SQL = {t: Archive._upsert(f"{t}_wide", [dict.fromkeys(WIDE_KEYS + tuple(n for n, _, _ in _WIDE[t]))],
                                "report_id")[0] for t in schema.TABLES}
