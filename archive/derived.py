"""What is built from the stored reports after a crawl, for readers: the table `region_totals`
(per province, city and county and year, the sums of every 表三/表四 cell over the organs
archived there) and the bulk downloads (zipped CSVs per year and per province, with a data
dictionary, under DATA/downloads/). Both are rebuilt only when the archive has changed since
they were last built."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils
import yaml

from . import regions, schema
from .csvout import write_csv
from .csvsafe import FORMULA_START, safe_row
from .store import DB_NAME, wide_columns

DOWNLOADS = "downloads"
MANIFEST = "manifest.json"
LEVELS = (("province", ("province",)), ("city", ("province", "city")), ("county", ("province", "city", "county")))
SUM_TABLES = ("applications", "reviews")  # 表三, 表四
BASE_COLUMNS = ("level", "region", "province", "city", "county", "year", "organs", "reports", "reports_with_unknown")
DICTIONARY = "data_dictionary.csv"
# Tables of a bulk download, with the rows that belong to a selection of reports.
ZIP_TABLES = (
    ("reports", "id in ({ids})"),
    ("report_texts", "report_id in ({ids})"),
    ("organs", "id in (select organ_id from reports where id in ({ids}))"),
    ("sources", "report_id in ({ids})"),
    ("versions", "report_id in ({ids})"),
    ("cells", "report_id in ({ids})"),
    ("checks", "report_id in ({ids})"),
    ("active_wide", "report_id in ({ids})"),
    ("applications_wide", "report_id in ({ids})"),
    ("reviews_wide", "report_id in ({ids})"),
)


def sum_columns() -> list[tuple[str, str]]:
    """(column of region_totals, wide table it sums) for every 表三 and 表四 cell."""
    return [(name, f"{table}_wide") for table in SUM_TABLES for name, _, _ in wide_columns(table)]


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


# Region totals -------------------------------------------------------------------------------
def build_region_totals(db: sqlite_utils.Database) -> int:
    """(Re)build `region_totals` in one transaction. A report counts where it has a 表三 or 表四;
    a sum is null when no report behind it printed that cell (never a guessed 0), and
    `reports_with_unknown` says how many reports behind a row hold a cell read as unknown."""
    sums = sum_columns()
    alias = {"applications_wide": "a", "reviews_wide": "v"}
    conn = db.conn
    with conn:
        conn.execute("drop table if exists region_totals")
        cols = ", ".join([f"[{c}] {'INTEGER' if c in ('year', 'organs', 'reports', 'reports_with_unknown') else 'TEXT'}"
                          for c in BASE_COLUMNS] + [f"[{c}] NUMERIC" for c, _ in sums])
        conn.execute(f"create table region_totals ({cols})")
        for level, keys in LEVELS:
            group = ", ".join(f"r.{k}" for k in keys)
            place = ", ".join(f"r.{k}" if k in keys else "null" for k in ("province", "city", "county"))
            conn.execute(
                f"insert into region_totals select '{level}', r.{keys[-1]}, {place}, r.year,"
                " count(distinct r.organ_id), count(*), sum(r.unknown_cells > 0), "
                + ", ".join(f"sum({alias[t]}.[{c}])" for c, t in sums)
                + " from reports r left join applications_wide a on a.report_id = r.id"
                " left join reviews_wide v on v.report_id = r.id"
                f" where r.year is not null and r.{keys[-1]} is not null"
                " and (a.report_id is not null or v.report_id is not null)"
                f" group by {group}, r.year")
        conn.execute("create index region_totals_place on region_totals (level, province, city, county, year)")
        conn.execute("create index region_totals_year on region_totals (level, year)")
        conn.execute("create index region_totals_city on region_totals (level, city, county, year)")
        conn.execute("analyze region_totals")  # the planner picks the place index for a city or county
    return db["region_totals"].count


# Fingerprint ---------------------------------------------------------------------------------
def fingerprint(db: sqlite_utils.Database) -> str:
    """Changes whenever a report, version or source is added, corrected or goes offline."""
    parts = [db.execute("select count(*), max(rowid), max(fetched_at), total(online), total(version)"
                        " from reports").fetchone()]
    for table, cols in (("versions", "count(*), max(fetched_at)"),
                        ("sources", "count(*), max(fetched_at), total(online), max(gone_since)")):
        if db[table].exists():
            parts.append(db.execute(f"select {cols} from {table}").fetchone())
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:16]


def _state(db, name):
    if not db["derived_builds"].exists():
        return None
    row = db.execute("select fingerprint from derived_builds where name = ?", [name]).fetchone()
    return row[0] if row else None


def _mark(db, name, fp):
    with db.conn:
        db.execute("create table if not exists derived_builds (name text primary key, fingerprint text, built_at text)")
        db.execute("insert or replace into derived_builds values (?, ?, ?)", [name, fp, now()])


def refresh(data_dir: Path, downloads: bool = True, force: bool = False) -> dict:
    """Rebuild what is stale: region_totals and (unless downloads=False) the bulk downloads.
    Returns what was rebuilt."""
    data_dir = Path(data_dir)
    db = sqlite_utils.Database(data_dir / DB_NAME)
    done = {}
    try:
        fp = fingerprint(db)
        if force or _state(db, "region_totals") != fp or not db["region_totals"].exists():
            done["region_totals"] = build_region_totals(db)
            # The feeds read the newest versions first.
            db.execute("create index if not exists versions_fetched_at on versions (fetched_at)")
            _mark(db, "region_totals", fp)
        if downloads and (force or _state(db, "downloads") != fp
                          or not (data_dir / DOWNLOADS / MANIFEST).exists()):
            done["downloads"] = len(build_downloads(db, data_dir / DOWNLOADS))
            _mark(db, "downloads", fp)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # served immutable: nothing may stay in the WAL
    finally:
        db.conn.close()
    return done


# Bulk downloads ------------------------------------------------------------------------------
def dictionary_rows() -> list[tuple[str, str, str, str]]:
    """(file, table title, column, description) for every table and column of a download, from
    metadata.yml and the generated labels of the wide tables."""
    from .publish import METADATA, wide_column_labels

    tables = yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"]["xxgk"]["tables"]
    generated = {f"{t}_wide": wide_column_labels(t) for t in schema.TABLES}
    labels = {**wide_column_labels("applications"), **wide_column_labels("reviews")}
    generated["region_totals"] = {
        "level": "层级：province 省、city 市、county 县", "region": "地区名称", "province": "省", "city": "市",
        "county": "县", "year": "报告年度", "organs": "该地区有报告的机关数", "reports": "计入合计的报告数",
        "reports_with_unknown": "其中含无法确定单元格的报告数",
        **{c: "合计：" + labels[c] for c, _ in sum_columns()}}
    rows = []
    for table, _ in (*ZIP_TABLES, ("region_totals", None)):
        meta = tables.get(table, {})
        cols = {**(meta.get("columns") or {}), **generated.get(table, {})}
        for column in _columns_of(table):
            rows.append((f"{table}.csv", meta.get("title", table), column, cols.get(column, "")))
    return rows


def _columns_of(table: str) -> list[str]:
    from .store import SCHEMA, WIDE_KEYS

    if table in SCHEMA:
        return list(SCHEMA[table][0])
    if table.endswith("_wide"):
        return list(WIDE_KEYS) + [c for c, _, _ in wide_columns(table.removesuffix("_wide"))]
    return list(BASE_COLUMNS) + [c for c, _ in sum_columns()]


def selections(db) -> list[dict]:
    """The downloads offered: everything, each year, each province."""
    out = [{"name": "xxgk-all.zip", "kind": "all", "label": "全部报告", "where": "1", "args": [],
            "totals": "1", "totals_args": []}]
    for (year,) in db.execute("select distinct year from reports where year is not null order by year desc"):
        out.append({"name": f"xxgk-{year}.zip", "kind": "year", "label": f"{year} 年度", "where": "year = ?",
                    "args": [year], "totals": "year = ?", "totals_args": [year]})
    codes = {name: code for code, name in regions.PROVINCES.items()}
    for (province,) in db.execute("select distinct province from reports where province is not null order by province"):
        code = codes.get(province) or hashlib.sha1(province.encode()).hexdigest()[:6]
        out.append({"name": f"xxgk-province-{code}.zip", "kind": "province", "label": province,
                    "where": "province = ?", "args": [province], "totals": "province = ?", "totals_args": [province]})
    return out


def build_downloads(db, out_dir: Path) -> list[dict]:
    """Write every zip and the manifest the downloads page lists; returns the manifest.

    One pass over each table for all the zips: a row is read and written as CSV once, and its
    text goes to every zip it belongs to (all, its year's, its province's), where a zip per
    selection read and formatted each row three times (a fifth of a crawl's CPU, profiled). The
    CSV files are the same, byte for byte: the selections' rows in rowid order, every cell
    through the one rule of archive/csvsafe.py."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    dictionary = dictionary_rows()
    sels = selections(db)
    index = {(s["kind"], a): i for i, s in enumerate(sels) for a in s["args"]}

    def targets(year, province) -> tuple[int, ...]:
        return (0, *(i for i in (index.get(("year", year)), index.get(("province", province))) if i is not None))

    paths = [out_dir / s["name"] for s in sels]
    zips = [zipfile.ZipFile(p.with_name(p.name + ".part"), "w", compression=zipfile.ZIP_DEFLATED) for p in paths]
    counts = [{} for _ in sels]
    try:
        organs: dict[tuple, tuple[int, ...]] = {}
        for organ, year, province in db.execute("select distinct organ_id, year, province from reports"):
            organs[(organ,)] = tuple(sorted({*organs.get((organ,), ()), *targets(year, province)}))
        places: dict[tuple, tuple[int, ...]] = {}

        def place_targets(place: tuple) -> tuple[int, ...]:
            if place not in places:
                places[place] = targets(*place)
            return places[place]

        for table, key in ZIP_KEYS:
            _zip_csv_all(zips, counts, table, _columns(db, table), _rows_with_places(db, table, key),
                         organs.get if key == "organ" else place_targets)
        for sel, zf, n in zip(sels, zips, counts):
            n["region_totals"] = _zip_csv(zf, db, "region_totals", sel["totals"], sel["totals_args"])
            with zf.open(DICTIONARY, "w") as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as fh:
                write_csv(fh, ("文件", "表", "列", "说明"), dictionary)
    finally:
        for zf in zips:
            zf.close()
    manifest = []
    for sel, path, n in zip(sels, paths, counts):
        path.with_name(path.name + ".part").replace(path)
        manifest.append({"name": sel["name"], "kind": sel["kind"], "label": sel["label"],
                         "reports": n["reports"], "bytes": path.stat().st_size, "built_at": now(),
                         "files": {f"{t}.csv": c for t, c in n.items()}})
    (out_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    for old in out_dir.glob("xxgk-*.zip"):
        if old.name not in {m["name"] for m in manifest}:
            old.unlink()  # a year or province no longer in the archive
    return manifest


# How each table of ZIP_TABLES reaches its reports: by its own id (reports), by report_id, or
# (organs) through the reports of the organ.
ZIP_KEYS = tuple((t, "id" if t == "reports" else "organ" if t == "organs" else "report_id") for t, _ in ZIP_TABLES)


def _columns(db, table: str) -> list[str]:
    return [c.name for c in db[table].columns] if db[table].exists() else []


def _rows_with_places(db, table: str, key: str):
    """The rows of `table` in rowid order, each as (place, place, …, row…, flag): its report's year
    and province, or (organs) the organ's id; then the row; then whether a cell of it may need
    csvsafe's rule. That test is SQLite's, in C: a row none of whose cells begins with a
    character of FORMULA_START is written as it is."""
    columns = _columns(db, table)
    if not columns:
        return iter(())
    select = ", ".join(f"t.[{c}]" for c in columns)
    starts = ", ".join(f"'{c}'" if c not in "\t\r" else f"char({ord(c)})" for c in FORMULA_START)
    flag = " or ".join(f"substr(t.[{c}], 1, 1) in ({starts})" for c in columns)
    if key == "organ":
        sql = f"select t.id, {select}, coalesce({flag}, 0) from [{table}] t order by t.rowid"
    else:
        sql = (f"select r.year, r.province, {select}, coalesce({flag}, 0) from [{table}] t"
               f" join reports r on r.id = t.[{key}] order by t.rowid")
    return db.execute(sql)


def _zip_csv_all(zips, counts, table: str, columns: list[str], rows, targets) -> None:
    """`table`.csv in every zip, from `_rows_with_places`; `targets(place)`: the zips (indexes
    into `zips`) a row of that place belongs to, or None for none. Consecutive rows of one place
    (a report's cells) are written as one text."""
    if not columns:  # as _zip_csv: a table the archive lacks is left out
        for n in counts:
            n[table] = 0
        return
    buf = io.StringIO()
    writer = csv.writer(buf)
    streams = []
    for zf, n in zip(zips, counts):
        streams.append(io.TextIOWrapper(zf.open(f"{table}.csv", "w"), encoding="utf-8-sig", newline=""))
        n[table] = 0
    writer.writerow(safe_row(columns))
    header = buf.getvalue()
    for fh in streams:
        fh.write(header)

    def emit(where, group):
        if not where or not group:
            return
        buf.seek(0)
        buf.truncate()
        writer.writerows(group)
        text = buf.getvalue()
        for i in where:
            streams[i].write(text)
            counts[i][table] += len(group)

    width = len(rows.description) - len(columns) - 1
    place, where, group = None, None, []
    append = group.append
    for r in rows:
        if r[:width] != place:
            emit(where, group)
            place, group = r[:width], []
            append = group.append
            where = targets(place)
        append(safe_row(r[width:-1]) if r[-1] else r[width:-1])
    emit(where, group)
    for fh in streams:
        fh.close()


def _zip_csv(zf: zipfile.ZipFile, db, table: str, where: str, args: list) -> int:
    if not db[table].exists():
        return 0
    columns = [c.name for c in db[table].columns]
    select = ", ".join(f"[{c}]" for c in columns)
    rows = db.execute(f"select {select} from [{table}] where {where} order by rowid", args)
    with zf.open(f"{table}.csv", "w") as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as fh:
        return write_csv(fh, columns, rows)


def export_downloads(data_dir: Path, out_dir: Path) -> list[dict]:
    """`xxgk export`: the same zips as the downloads page, written to another directory."""
    db = sqlite_utils.Database(Path(data_dir) / DB_NAME)
    try:
        if not db["region_totals"].exists() or _state(db, "region_totals") != fingerprint(db):
            build_region_totals(db)
            _mark(db, "region_totals", fingerprint(db))
        return build_downloads(db, out_dir)
    finally:
        db.conn.close()
