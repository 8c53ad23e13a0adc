"""Latency of the published archive at scale: search, facet, CSV-export, compare and
region-totals requests against a real Datasette serving >= 100,000 synthetic reports, beside a
plain LIKE scan and an on-the-fly GROUP BY of the same data.

    python bench/serve.py [--reports 100000] [--requests 40] [--keep DIR]
    nice python bench/serve.py --reports 1000000 --keep /work/tmp/serve-1m

The archive is built with the project's own schema (archive.store.Archive) and index form
(archive.search.bigrams), in bulk. It holds reports, the three wide tables and the search index,
which are what the measured requests read; per-cell rows are left out to keep the build in minutes.
With --keep, the archive is built once in DIR and reused by later runs with the same parameters
(DIR/build.json); opening it with Archive upgrades it as it would a user's archive.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive import regions, schema  # noqa: E402
from archive.publish import datasette_command  # noqa: E402
from archive.search import bigrams  # noqa: E402
from archive.derived import build_region_totals, sum_columns  # noqa: E402
from archive.store import Archive, wide_columns  # noqa: E402

COMMON = "的一是了我不在人有这中大为上个国以要他时来用们生到作地于出就分对成会可也你对生能而子那得于着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实"


def place_names(rng: random.Random, n: int) -> list[str]:
    names = set()
    while len(names) < n:
        names.add("".join(rng.choice(COMMON) for _ in range(2)) + rng.choice("镇乡街道县区"))
    return sorted(names)


BUILD_VERSION = 3  # bump when the synthetic data changes: a kept archive of another version is rebuilt
BATCH = 10_000

# Random bytes mapped through a table in C: a wide-table cell is 0 half the time, else 0..50;
# a filler character is one of COMMON.
CELL_BYTES = bytes(0 if i < 128 else (i - 128) % 51 for i in range(256))
FILLER = {i: COMMON[i % len(COMMON)] for i in range(256)}


def narrative(rng: random.Random, organ: str, year: int, apps: int, reviews: int) -> str:
    parts = [
        f"本报告根据《中华人民共和国政府信息公开条例》编制。本报告所列数据统计期限为{year}年1月1日至{year}年12月31日。",
        f"一、总体情况。{year}年，{organ}持续深化政务公开，全年主动公开政府信息{rng.randint(100, 9000)}条。",
        f"（二）依申请公开。共收到政府信息公开申请{apps}件，依法予以公开{rng.randint(0, apps)}件。",
    ]
    if rng.random() < 0.3:
        parts.append(f"其中不予公开{rng.randint(1, 9)}件，主要为属于国家秘密和三类内部事务信息。")
    parts.append(f"全年因政府信息公开被申请行政复议{reviews}件，提起行政诉讼{rng.randint(0, 5)}件。")
    parts.append("五、存在的主要问题及改进情况。" + rng.randbytes(rng.randint(150, 500)).decode("latin-1").translate(FILLER))
    return "".join(parts)


def _batch(job: tuple[int, int, int, list[str]]):
    """Rows of reports start..end-1, from a generator seeded by the batch: the same archive
    whichever process makes which batch."""
    seed, start, end, places = job
    rng = random.Random(f"{seed}/{start}")
    provinces = list(regions.PROVINCES.items())[:31]
    wide_cols = {t: wide_columns(t) for t in schema.TABLES}
    reports, texts, search, wides = [], [], [], {t: [] for t in schema.TABLES}
    for i in range(start, end):
        code, province = rng.choice(provinces)
        place = places[i % len(places)]
        organ = f"{province}{place}人民政府" if rng.random() < 0.3 else f"{place}"
        year = rng.randint(2019, 2025)
        template = "2019" if year < 2021 else "2021"
        apps, reviews = rng.randint(0, 300), rng.randint(0, 20)
        text = narrative(rng, organ, year, apps, reviews)
        rid = f"{i:016x}"
        title = f"{organ}{year}年政府信息公开工作年度报告"
        status = rng.choice(("passed", "passed", "passed", "failed", "not_checkable"))
        reports.append((i + 1, rid, organ, organ, "town", province, f"{province[:2]}某市", place, code, year, title,
                        template, f"{year + 1}-01-{rng.randint(10, 28):02d}", f"http://portal{i % 997}.test/{rid}.html",
                        "2026-01-01T00:00:00+00:00", "html", status, int(status == "failed"), 0, 200))
        texts.append((rid, text))
        search.append((i + 1, bigrams(title), bigrams(organ), bigrams(text)))
        for table in schema.TABLES:
            values = rng.randbytes(len(wide_cols[table])).translate(CELL_BYTES)
            wides[table].append((rid, organ, province, f"{province[:2]}某市", place, year, template, status, *values))
    return reports, texts, search, wides


def build(data: Path, n: int, seed: int = 1) -> dict:
    archive = Archive(data)
    db = archive.db
    # A bulk build of a throw-away file: no journal, no fsync (a crash means a rebuild), and the
    # indexes and facet-count triggers made once at the end instead of row by row (the final
    # Archive() open rebuilds facet_counts, as it does for an older archive).
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-262144")
    tables = ["reports", "report_texts"] + [f"{t}_wide" for t in schema.TABLES]
    deferred = [sql for (sql,) in db.execute(
        "select sql from sqlite_master where type = 'index' and sql is not null and tbl_name in"
        f" ({','.join('?' * len(tables))})", tables)]
    for (name,) in db.execute("select name from sqlite_master where type = 'index' and sql is not null and tbl_name in"
                              f" ({','.join('?' * len(tables))})", tables).fetchall():
        db.execute(f"drop index [{name}]")
    for (name,) in db.execute("select name from sqlite_master where type = 'trigger'").fetchall():
        db.execute(f"drop trigger [{name}]")
    db.execute("drop table if exists facet_counts")
    places = place_names(random.Random(seed), max(200, n // 50))
    wide_cols = {t: wide_columns(t) for t in schema.TABLES}
    jobs = [(seed, start, min(n, start + BATCH), places) for start in range(0, n, BATCH)]
    import multiprocessing

    # Two processes make the rows; this one writes the tables, a third the search index into a
    # file of its own (tokenizing is most of the work), copied in at the end (_merge_index).
    ctx = multiprocessing.get_context("fork")
    index_file = data / "search-index.tmp.db"
    index_file.unlink(missing_ok=True)
    fts_sql = db.execute("select sql from sqlite_master where name = 'search_index'").fetchone()[0]
    queue = ctx.Queue()  # unbounded: the tables, their indexes and region totals go on meanwhile
    indexer = ctx.Process(target=_index_into, args=(index_file, fts_sql, queue))
    indexer.start()
    with ctx.Pool(2) as pool:
        for done, (reports, texts, search, wides) in enumerate(pool.imap(_batch, jobs), 1):
            queue.put(search)
            _flush(db, reports, texts, wides, wide_cols)
            if done % 10 == 0:
                print(f"  {done * BATCH:,} reports written", flush=True)
    queue.put(None)
    t = time.perf_counter()
    for sql in deferred:
        db.execute(sql)
    print(f"indexes: {len(deferred)} built in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    rows = build_region_totals(db)
    print(f"region_totals: {rows:,} rows built in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    indexer.join()
    if indexer.exitcode != 0:
        raise SystemExit(f"{index_file}: the search index process failed ({indexer.exitcode})")
    _merge_index(db, index_file)
    print(f"search index: waited for and copied in {time.perf_counter() - t:.1f} s")
    archive.close()
    return {"rare_place": places[7]}


def _index_into(path: Path, fts_sql: str, queue) -> None:
    import sqlite3 as _  # noqa: F401  (the fork has the parent's modules)
    from sqlite_utils.utils import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute(fts_sql)
    # Larger in-memory segments: fewer merges while loading.
    conn.execute("insert into search_index (search_index, rank) values ('hashsize', ?)", [64 * 2**20])
    conn.commit()
    while (rows := queue.get()) is not None:
        conn.executemany("insert into search_index (rowid, title, organ, body) values (?, ?, ?, ?)", rows)
        conn.commit()
    conn.execute("delete from search_index_config where k = 'hashsize'")
    conn.commit()
    conn.close()


def _merge_index(db, path: Path) -> None:
    """The index built in its own file becomes the archive's: same definition, so its shadow
    tables (segments, their index, document sizes) are copied as they are."""
    conn = db.conn
    conn.execute("attach database ? as built", [str(path)])
    with conn:
        for shadow in ("data", "idx", "docsize", "config"):
            conn.execute(f"delete from main.search_index_{shadow}")
            conn.execute(f"insert into main.search_index_{shadow} select * from built.search_index_{shadow}")
    conn.execute("detach database built")
    path.unlink()
    conn.execute("insert into search_index (search_index) values ('integrity-check')").close()
    conn.commit()


def _flush(db, reports, texts, wides, wide_cols):
    with db.conn:
        db.conn.executemany(
            "insert into reports (rowid, id, organ_id, organ, level, province, city, county, region_code, year, title,"
            " template, published, url, fetched_at, source_format, check_status, flagged, unknown_cells, cell_count)"
            " values (" + ",".join("?" * 20) + ")", reports)
        db.conn.executemany("insert into report_texts (report_id, text) values (?, ?)", texts)
        for table, rows in wides.items():
            names = ["report_id", "organ", "province", "city", "county", "year", "template", "check_status"]
            names += [c for c, _, _ in wide_cols[table]]
            db.conn.executemany(
                f"insert into {table}_wide ({', '.join(names)}) values ({','.join('?' * len(names))})", rows)


LIKE = ("select r.id, r.title from reports r join report_texts t on t.report_id = r.id"
        " where r.title like '%{w}%' or r.organ like '%{w}%' or t.text like '%{w}%'")


# What region_totals holds for the provinces, computed on the fly: every 表三/表四 cell summed.
GROUPED = ("select r.province, r.year, count(distinct r.organ_id), count(*), "
           + ", ".join(f"sum({'a' if t == 'applications_wide' else 'v'}.[{c}])" for c, t in sum_columns())
           + " from reports r join applications_wide a on a.report_id = r.id"
           " join reviews_wide v on v.report_id = r.id group by r.province, r.year")


def timed(client: httpx.Client, url: str, params: dict, n: int) -> tuple[list[float], int]:
    times, size = [], 0
    for _ in range(n):
        t = time.perf_counter()
        r = client.get(url, params=params)
        r.raise_for_status()
        size = len(r.content)
        times.append((time.perf_counter() - t) * 1000)
    return times, size


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, int(round(0.95 * len(xs))) - 1)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--keep", type=Path, help="build (or reuse) the archive in this directory")
    ap.add_argument("--build-only", action="store_true", help="build (or check) the kept archive, measure nothing")
    args = ap.parse_args()
    data = args.keep or Path(tempfile.mkdtemp(prefix="xxgk-bench-"))
    params = {"reports": args.reports, "seed": 1, "version": BUILD_VERSION}
    stamp = data / "build.json"
    kept = json.loads(stamp.read_text()) if stamp.exists() and (data / "xxgk.db").exists() else {}
    if kept.get("params") == params:
        built, how = kept["seconds"], "reused from " + str(data)
    else:
        for name in ("xxgk.db", "xxgk.db-wal", "xxgk.db-shm", "build.json"):
            (data / name).unlink(missing_ok=True)
        t0 = time.perf_counter()
        build(data, args.reports)
        built, how = time.perf_counter() - t0, "built now"
        stamp.write_text(json.dumps({"params": params, "seconds": round(built, 1)}))
    # What a user's archive goes through when a new version opens it (new indexes, tables).
    t0 = time.perf_counter()
    Archive(data).close()
    upgraded = time.perf_counter() - t0
    info = {"rare_place": place_names(random.Random(1), max(200, args.reports // 50))[7]}
    places = place_names(random.Random(1), max(200, args.reports // 50))
    db_mb = sum(p.stat().st_size for p in data.glob("xxgk.db*")) / 2**20
    print(f"archive: {args.reports:,} synthetic reports, {db_mb:,.0f} MiB, built in {built:.0f} s ({how});"
          f" opened and upgraded by Archive in {upgraded:.1f} s")
    if args.build_only:
        return
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    port = 8765
    proc = subprocess.Popen(datasette_command(data, port=port, allow_sql=True), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(timeout=120) as client:
            for _ in range(300):
                try:
                    client.get(base + "/-/versions.json")
                    break
                except httpx.HTTPError:
                    time.sleep(0.2)
            rare = info["rare_place"]
            cases = [
                ("search 2 chars 复议 (page + count + facets)", "/xxgk/reports.json", {"_search": "复议"}),
                ("search 3 chars place name " + rare, "/xxgk/reports.json", {"_search": rare}),
                ("search 4 chars 不予公开", "/xxgk/reports.json", {"_search": "不予公开"}),
                ("facets province+year, all reports", "/xxgk/reports.json", {"_facet": ["province", "year"], "_size": "0"}),
                ("facets on a search (复议, year=2023)", "/xxgk/reports.json", {"_search": "复议", "year": "2023"}),
                ("CSV export, one province-year (applications_wide)", "/xxgk/applications_wide.csv",
                 {"province": "江苏省", "year": "2023", "_size": "max"}),
                ("CSV export, search results (reports)", "/xxgk/reports.csv", {"_search": rare, "_size": "max"}),
                ("compare 2 organs, all years (page + chart)", "/compare", {"organs": f"{places[7]}、{places[8]}"}),
                ("compare all organs of a county", "/compare", {"county": places[9]}),
                ("compare the counties of a city", "/compare", {"city": "江苏某市", "from": "2022"}),
                ("compare CSV, all organs of a county", "/compare.csv", {"county": places[9]}),
                ("region totals page, counties in 2023", "/totals", {"level": "county", "year": "2023"}),
                ("region totals page, one province", "/totals", {"level": "province", "province": "江苏省"}),
                ("region_totals CSV, provinces (every cell)", "/xxgk/region_totals.csv",
                 {"level": "province", "_size": "max"}),
            ]
            cases += [
                ("reports page, no search (HTML: count + 5 facets)", "/xxgk/reports", {}),
                ("search page 不予公开 (HTML: snippets, count, facets)", "/xxgk/reports", {"_search": "不予公开"}),
            ]
            print(f"{'request':<52} {'median ms':>10} {'p95 ms':>8} {'bytes':>10}  rows counted")
            for name, path, params in cases:
                r = client.get(base + path, params=params)  # warm the page cache
                if r.status_code != 200:  # e.g. past Datasette's time limit: say so, measure the rest
                    print(f"{name:<52} {'HTTP ' + str(r.status_code):>10}")
                    continue
                counted = ""
                if path.endswith(".json"):
                    d = r.json()
                    counted = f"{d['filtered_table_rows_count']:,}" + (" (capped)" if "超过" in d["human_description_en"] else "")
                times, size = timed(client, base + path, params, args.requests)
                print(f"{name:<52} {statistics.median(times):>10.1f} {p95(times):>8.1f} {size:>10,}  {counted}")
        # Baselines in SQLite directly (no HTTP: a lower bound for any page built on them; at a
        # million reports they outrun Datasette's SQL time limit): a LIKE scan of the same texts,
        # and the sums region_totals serves, computed on the fly.
        from sqlite_utils.utils import sqlite3

        conn = sqlite3.connect(f"file:{data / 'xxgk.db'}?mode=ro", uri=True)
        baseline = [
            ("baseline LIKE scan 复议, first page", LIKE.format(w="复议") + " limit 51"),
            ("baseline LIKE scan 复议, count", "select count(*) from (" + LIKE.format(w="复议") + ")"),
            (f"baseline LIKE scan {rare}, all matches", LIKE.format(w=rare)),
            ("baseline LIKE scan 不予公开, count", "select count(*) from (" + LIKE.format(w="不予公开") + ")"),
        ]
        if args.reports <= 300_000:  # minutes a run beyond that
            baseline.append(("baseline GROUP BY on the fly, region sums", GROUPED))
        for name, sql in baseline:
            times = []
            for _ in range(max(2, args.requests // 10)):
                t = time.perf_counter()
                rows = conn.execute(sql).fetchall()
                times.append((time.perf_counter() - t) * 1000)
            found = f"{rows[0][0]:,} matches" if sql.startswith("select count(*)") else f"{len(rows):,} rows"
            print(f"{name + ' (SQLite)':<52} {statistics.median(times):>10.1f} {p95(times):>8.1f} {'':>10}  {found}")
        conn.close()
        print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        proc.terminate()
        proc.wait(10)
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
