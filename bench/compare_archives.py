"""Two archives of the same world, table by table: the same rows, whatever the crawl's order.

Proves that a change to the crawl's speed left what is archived unchanged: crawl one simulated
world with the code before and after (`bench/crawl.py --keep DIR` keeps the crawl's archive), then

    python bench/compare_archives.py BEFORE_DIR AFTER_DIR

Each table is compared as a multiset of rows, without the columns that differ from one crawl to
the next by nature: times (`*_at`, `gone_since`, `last_crawl`…), the simulator's ports in URLs, where a record sits in which WARC
file (file names carry a time and a process id, offsets follow the order of the downloads,
record ids are random) and SQLite's rowids. The search index (contentless FTS5) is compared
through fts5vocab as (report id, term, column, position); the WARC files as the multiset of
(target URL, payload digest) of their records. Prints one line per table; exits 1 on a
difference.
"""
from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

try:  # the SQLite the project uses (contentless-delete FTS5 needs 3.43)
    import pysqlite3.dbapi2 as sqlite3
except ImportError:
    import sqlite3

SKIP_COLUMNS = re.compile(r"(_at|^at|^gone_since|^last_crawl|^last_success|^warc_file|^warc_offset|^warc_record_id"
                          r"|^started|^finished)$")
# Each run of the simulator serves its portals on ports of its own: URLs are compared without
# them (every portal of the bench world has paths of its own list style).
PORT = re.compile(r"127\.0\.0\.1:\d+")


def unported(value):
    return PORT.sub("127.0.0.1:PORT", value) if isinstance(value, str) else value
SKIP_TABLES = re.compile(r"^(sqlite_|search_index|derived_builds|crawl_runs$)")  # crawl_runs: times only


def tables(db: sqlite3.Connection) -> list[str]:
    return [n for (n,) in db.execute("select name from sqlite_master where type = 'table' order by name")
            if not SKIP_TABLES.match(n)]


def rows(db: sqlite3.Connection, table: str) -> tuple[list[str], Counter]:
    cols = [r[1] for r in db.execute(f"pragma table_info([{table}])") if not SKIP_COLUMNS.search(r[1])]
    return cols, Counter(tuple(map(unported, r))
                         for r in db.execute(f"select {', '.join(f'[{c}]' for c in cols)} from [{table}]"))


def search_terms(db: sqlite3.Connection) -> Counter:
    db.execute("create virtual table if not exists temp.terms using fts5vocab(main, search_index, 'instance')")
    return Counter(tuple(map(unported, r)) for r in db.execute(
        "select r.id, t.term, t.col, t.offset from temp.terms t join reports r on r.rowid = t.doc"))


def warc_records(data: Path) -> Counter:
    out = Counter()
    for path in sorted((data / "warc").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                out[(unported(record.rec_headers.get_header("WARC-Target-URI")),
                     record.rec_headers.get_header("WARC-Payload-Digest"))] += 1
    return out


def compare(before: Path, after: Path) -> list[str]:
    a, b = sqlite3.connect(before / "xxgk.db"), sqlite3.connect(after / "xxgk.db")
    problems = []
    names = [t for t in tables(a) if t in tables(b)]
    for table in sorted(set(tables(a)) ^ set(tables(b))):
        print(f"{table:<22} in one archive only: DIFFERENT")
        problems.append(f"{table}: in {'before' if table in tables(a) else 'after'} only")
    for table in names:
        (ca, ra), (cb, rb) = rows(a, table), rows(b, table)
        same = ca == cb and ra == rb
        print(f"{table:<22} {sum(ra.values()):>8} rows, {len(ca):>3} columns compared: {'same' if same else 'DIFFERENT'}")
        if not same:
            problems.append(f"{table}: {len(ra - rb)} rows only before, {len(rb - ra)} only after"
                            + ("" if ca == cb else f"; columns {ca} / {cb}"))
    ta, tb = search_terms(a), search_terms(b)
    print(f"{'search_index':<22} {sum(ta.values()):>8} term positions: {'same' if ta == tb else 'DIFFERENT'}")
    if ta != tb:
        problems.append(f"search_index: {len(ta - tb)} positions only before, {len(tb - ta)} only after")
    wa, wb = warc_records(before), warc_records(after)
    print(f"{'WARC records':<22} {sum(wa.values()):>8} / {sum(wb.values())}: {'same' if wa == wb else 'DIFFERENT'}")
    if wa != wb:
        problems.append(f"WARC: {sum(wa.values())} records before, {sum(wb.values())} after")
    return problems


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    problems = compare(Path(sys.argv[1]), Path(sys.argv[2]))
    for p in problems:
        print("DIFFERENT:", p)
    sys.exit(1 if problems else 0)
