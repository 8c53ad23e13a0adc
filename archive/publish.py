"""Publishing the archive with Datasette, and exporting it as CSV files."""
from __future__ import annotations

import csv
import json
import signal
import subprocess
import sys
from pathlib import Path

import yaml

from . import schema
from .csvsafe import safe_row
from .store import DB_NAME, Archive, wide_columns

ROOT = Path(__file__).resolve().parent.parent
METADATA = ROOT / "metadata.yml"
WEB = Path(__file__).resolve().parent / "web"


def wide_column_labels(table: str) -> dict[str, str]:
    """Chinese description of every column of a wide table: 「一、本年新收政府信息公开申请数量 · 总计」."""
    rows, cols = schema.ROW_LABELS[table], schema.COLUMN_LABELS[table]
    return {name: f"{rows.get(r, r)} · {cols.get(c, c)}" for name, r, c in wide_columns(table)}


def build_metadata(data_dir: Path, allow_sql: bool = False) -> Path:
    """metadata.yml with the generated column descriptions of the wide tables, as JSON in the
    archive directory (what `datasette --metadata` reads)."""
    meta = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    tables = meta.setdefault("databases", {}).setdefault("xxgk", {}).setdefault("tables", {})
    for table in schema.TABLES:
        entry = tables.setdefault(f"{table}_wide", {})
        columns = entry.setdefault("columns", {})
        columns.update({"report_id": "报告编号", "organ": "报告机关", "province": "省", "city": "市", "county": "县",
                        "year": "报告年度", "template": "格式版本", "check_status": "校验状态"})
        columns.update(wide_column_labels(table))
    # archive/web/plugins/xxgk_safety.py: custom SQL beyond the charts' own queries, or not
    meta.setdefault("plugins", {})["xxgk-safety"] = {"allow_sql": allow_sql}
    out = Path(data_dir) / "metadata.json"
    out.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return out


def datasette_command(data_dir: Path, host: str = "127.0.0.1", port: int = 8001, allow_sql: bool = False) -> list[str]:
    """Datasette serving the archive, safe to expose: read-only, no custom SQL unless asked for
    (then a 1 s limit per query, on three threads; archive/web/plugins/xxgk_safety.py lets only
    the charts' own queries through otherwise), canned queries and pages limited to 5 s.
    The file is opened so that the server sees what a crawl writes (WAL, read-only connections),
    not as immutable: an immutable reader of a file being written answers "database disk image is
    malformed" and keeps counts of the file it first saw."""
    data_dir = Path(data_dir)
    db = data_dir / DB_NAME
    return [sys.executable, "-m", "datasette", "serve", str(db), "--host", host, "--port", str(port),
            "--metadata", str(build_metadata(data_dir, allow_sql)),
            "--plugins-dir", str(WEB / "plugins"), "--template-dir", str(WEB / "templates"),
            "--static", f"xxgk-static:{WEB / 'static'}",
            "--setting", "default_page_size", "50", "--setting", "max_returned_rows", "5000",
            "--setting", "sql_time_limit_ms", "1000" if allow_sql else "5000",
            "--setting", "num_sql_threads", "3",
            "--setting", "allow_download", "off",
            "--setting", "facet_time_limit_ms", "1000", "--setting", "suggest_facets", "off"]


def serve(data_dir: Path, host: str = "127.0.0.1", port: int = 8001, allow_sql: bool = False) -> int:
    """Serve the archive read-only until interrupted."""
    db = Path(data_dir) / DB_NAME
    if not db.exists():
        Archive(data_dir).close()  # an empty archive to serve
    else:
        # Read-only: a crawl may be writing it. Says in one line if the file is no database.
        import sqlite3

        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            conn.execute("select count(*) from sqlite_master").fetchone()
        finally:
            conn.close()
    # A crawl earlier in this process (xxgk demo) leaves Scrapy's signal handlers installed;
    # Ctrl-C and SIGTERM must stop the server, not ask a finished crawl to shut down.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    proc = subprocess.Popen(datasette_command(Path(data_dir), host, port, allow_sql=allow_sql))
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return 0  # stopped by the user, as intended


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


# Export --------------------------------------------------------------------------------------
EXPORT_TABLES = ("reports", "organs", "sources", "cells", "checks", "active_wide", "applications_wide", "reviews_wide")
PER_YEAR = ("reports", "active_wide", "applications_wide", "reviews_wide")


def export(data_dir: Path, out_dir: Path) -> dict[str, int]:
    """CSV files per table and, for the report tables, per year; UTF-8 with BOM so that Excel
    opens the Chinese text correctly. Returns rows written per file name."""
    archive = Archive(data_dir)
    db = archive.db
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for table in EXPORT_TABLES:
        columns = [c.name for c in db[table].columns]
        select = ", ".join(f"[{c}]" for c in columns)
        written[f"{table}.csv"] = _write_csv(out_dir / f"{table}.csv", columns, db.execute(f"select {select} from [{table}] order by rowid"))
        if table in PER_YEAR:
            for (year,) in db.execute(f"select distinct year from [{table}] where year is not null order by year").fetchall():
                name = f"{table}_{year}.csv"
                written[name] = _write_csv(out_dir / name, columns, db.execute(
                    f"select {select} from [{table}] where year = ? order by rowid", [year]))
    archive.close()
    return written


def _write_csv(path: Path, columns: list[str], rows) -> int:
    n = 0
    tmp = path.with_suffix(".csv.part")
    with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(safe_row(row))  # no cell Excel would run as a formula
            n += 1
    tmp.replace(path)  # a reader never sees half a file
    return n
