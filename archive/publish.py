"""Publishing the archive with Datasette, and exporting it as CSV files."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import yaml
from sqlite_utils.utils import sqlite3  # the module sqlite-utils connects with (pysqlite3 here)

from . import schema
from .csvout import write_csv_file
from .store import DB_NAME, Archive, wide_columns

ROOT = Path(__file__).resolve().parent.parent
METADATA = ROOT / "metadata.yml"
WEB = Path(__file__).resolve().parent / "web"
PLUGIN = "archive.web"  # the module registered under Datasette's entry point group


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
    # archive/web/safety.py: custom SQL beyond the charts' own queries, or not
    meta.setdefault("plugins", {})["xxgk-safety"] = {"allow_sql": allow_sql}
    totals = tables.setdefault("region_totals", {}).setdefault("columns", {})
    for table in ("applications", "reviews"):
        totals.update({name: "合计：" + label for name, label in wide_column_labels(table).items()})
    out = Path(data_dir) / "metadata.json"
    out.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return out


def datasette_command(data_dir: Path, host: str = "127.0.0.1", port: int = 8001, allow_sql: bool = False) -> list[str]:
    """Datasette serving the archive, safe to expose: read-only, no custom SQL unless asked for
    (then a 1 s limit per query, on three threads; archive/web/safety.py lets only
    the charts' own queries through otherwise), canned queries and pages limited to 5 s.
    The file is opened so that the server sees what a crawl writes (WAL, read-only connections),
    not as immutable: an immutable reader of a file being written answers "database disk image is
    malformed" and keeps counts of the file it first saw."""
    data_dir = Path(data_dir)
    db = data_dir / DB_NAME
    return [sys.executable, "-m", "datasette", "serve", str(db), "--host", host, "--port", str(port),
            "--metadata", str(build_metadata(data_dir, allow_sql)),
            *plugin_options(),
            "--setting", "default_page_size", "50", "--setting", "max_returned_rows", "5000",
            "--setting", "sql_time_limit_ms", "1000" if allow_sql else "5000",
            "--setting", "num_sql_threads", "3",
            "--setting", "allow_download", "off",
            "--setting", "facet_time_limit_ms", "1000", "--setting", "suggest_facets", "off"]


def _refresh_if_free(data_dir: Path) -> None:
    """Region totals and bulk downloads, if the archive changed since they were built — unless a
    crawl is writing it (it rebuilds them when it ends): the server never waits for a crawl."""
    from .derived import refresh
    from .lock import DataLock, Locked

    try:
        lock = DataLock(data_dir).acquire(0)
    except Locked:
        print(f"{Path(data_dir) / DB_NAME}: a crawl is writing the archive; region totals and downloads"
              " are rebuilt when it ends", file=sys.stderr)
        return
    try:
        # An archive made by an earlier version gains what serving it reads (indexes, facet counts).
        Archive(data_dir).close()
        refresh(data_dir)
    except sqlite3.OperationalError as exc:
        print(f"{Path(data_dir) / DB_NAME}: region totals and downloads not rebuilt ({exc})", file=sys.stderr)
    finally:
        lock.release()


def plugin_installed() -> bool:
    """Whether the package's Datasette entry point (pyproject.toml) is installed, so that any
    `datasette` run loads the plugin by itself."""
    from importlib.metadata import entry_points

    return any(ep.value == PLUGIN for ep in entry_points(group="datasette", name="xxgk"))


def plugin_options() -> list[str]:
    """Load the plugin from its directory only when an older install lacks the entry point:
    loading it both ways would run every hook twice."""
    if plugin_installed():
        return []
    return ["--plugins-dir", str(WEB / "plugins"), "--template-dir", str(WEB / "templates")]


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
    _refresh_if_free(data_dir)
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
    opens the Chinese text correctly; and the bulk-download zips of the downloads page (per
    year, per province, everything), the same files. Returns rows written per file name."""
    from .derived import export_downloads

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
    for entry in export_downloads(data_dir, out_dir):
        written[entry["name"]] = entry["reports"]
    return written


def _write_csv(path: Path, columns: list[str], rows) -> int:
    return write_csv_file(path, columns, rows)  # every CSV of the archive goes through archive.csvout
