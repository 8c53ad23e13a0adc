"""The crawl's faster writing stores exactly what the slower one did: rows built in the readers
(`prepare`), a batch's cells and search-index entries written at its end, organs stored once,
and the bulk downloads written in one pass for every zip."""
from __future__ import annotations

import csv
import io
import pickle
import zipfile

import pytest
import sqlite_utils

from archive.csvout import write_csv
from archive.derived import DOWNLOADS, ZIP_TABLES, build_downloads, build_region_totals, selections
from archive.parse import parse_html
from archive.store import Archive, Prepared, prepare
from archive.search import fts_query

from .hostile import sim_reports

FETCHED = "2026-01-01T00:00:00+00:00"
PORTAL = {"name": "云溪县人民政府", "code": "350128000000", "level": "county"}
ROW_TABLES = ("reports", "report_texts", "organs", "regions", "sources", "versions", "cells", "cells_history",
              "checks", "active_wide", "applications_wide", "reviews_wide", "facet_counts")


def contents(data) -> dict:
    db = sqlite_utils.Database(data / "xxgk.db")
    out = {t: sorted(map(repr, db.execute(f"select * from [{t}] order by rowid"))) for t in ROW_TABLES}
    out["search"] = [db.execute("select count(*) from search_index where search_index match ?",
                                [fts_query(q)]).fetchone()[0] for q in ("政府信息", "行政复议", "云溪县")]
    db.conn.close()
    return out


@pytest.fixture(scope="module")
def reports():
    return [(parse_html(page), page, truth) for _, page, truth in sim_reports(6)]


def store_all(archive: Archive, items, batch: bool) -> list[str]:
    if batch:
        archive.begin_batch()
    out = [archive.store(parsed, url=url, body=body.encode(), fetched_at=FETCHED, portal=PORTAL)
           for parsed, url, body in items]
    if batch:
        archive.commit_batch()
    return out


def corrected(parsed):
    """The same report (organ, year) with one number changed: a new version."""
    fixed = pickle.loads(pickle.dumps(parsed))
    table, row, col, value = next((t, r, c, v) for t, r, c, v in fixed.cells() if v.number is not None)
    fixed.tables[table][row][col] = type(value)(value.number + 1, str(value.number + 1), value.status)
    return fixed


def test_prepared_rows_store_the_same_as_the_parsed_report(tmp_path, reports):
    items = [(p, f"http://sim.test/r{i}.html", page) for i, (p, page, _) in enumerate(reports)]
    assert store_all(Archive(tmp_path / "a"), items, batch=False) == ["new"] * 6
    # As a crawl stores them: prepared in a reader process, crossing to the writer pickled.
    prepared = [(pickle.loads(pickle.dumps(prepare(p))), u, b) for p, u, b in items]
    assert all(isinstance(p, Prepared) for p, _, _ in prepared)
    assert store_all(Archive(tmp_path / "b"), prepared, batch=True) == ["new"] * 6
    a, b = contents(tmp_path / "a"), contents(tmp_path / "b")
    assert a == b
    cells = sum(len(list(p.cells())) for p, _, _ in items)
    assert len(a["cells"]) == cells and cells > 6 * 100
    assert a["search"][0] == 6


def test_a_report_corrected_in_the_batch_that_stored_it(tmp_path, reports):
    """Its first version's cells (written at the batch's end) are in place when the correction
    moves them to cells_history: the same rows as two separate commits."""
    parsed, page, _ = reports[0]
    items = [(parsed, "http://sim.test/a.html", page), (corrected(parsed), "http://sim.test/b.html", page + " ")]
    assert store_all(Archive(tmp_path / "one"), items, batch=True) == ["new", "corrected"]
    assert store_all(Archive(tmp_path / "two"), items, batch=False) == ["new", "corrected"]
    one, two = contents(tmp_path / "one"), contents(tmp_path / "two")
    assert one == two
    n = len(list(parsed.cells()))
    assert (len(one["cells"]), len(one["cells_history"]), len(one["versions"])) == (n, n, 2)
    assert one["search"][0] == 1  # one entry for the report, not one per version


def test_a_report_that_fails_in_a_batch_leaves_nothing_and_its_organ_is_stored_later(tmp_path, reports, monkeypatch):
    archive = Archive(tmp_path)
    first, second = ((p, f"http://sim.test/r{i}.html", page) for i, (p, page, _) in enumerate(reports[:2]))
    third = (second[0], "http://sim.test/again.html", second[2])  # the same report from another URL
    town = {"name": "云溪县某镇人民政府", "code": "350128100000", "level": "town", "parent": PORTAL["name"]}
    archive.begin_batch()
    archive.store(first[0], url=first[1], body=first[2].encode(), fetched_at=FETCHED, portal=PORTAL)
    real = Archive._store_wide

    def broken(self, *a, **kw):
        raise OSError("disk says no")

    monkeypatch.setattr(Archive, "_store_wide", broken)  # after its cells and index entry are queued
    with pytest.raises(OSError):
        archive.store(second[0], url=second[1], body=second[2].encode(), fetched_at=FETCHED, portal=town)
    monkeypatch.setattr(Archive, "_store_wide", real)
    # The same organ and portal again: their rows were rolled back with the failed report, so
    # they are written now.
    assert archive.store(third[0], url=third[1], body=third[2].encode(), fetched_at=FETCHED, portal=town) == "new"
    archive.commit_batch()
    archive.close()
    db = sqlite_utils.Database(tmp_path / "xxgk.db")
    assert [u for (u,) in db.execute("select url from sources order by rowid")] == [first[1], third[1]]
    assert db.execute("select count(*) from cells").fetchone()[0] == \
        len(list(first[0].cells())) + len(list(third[0].cells()))
    assert db.execute("select count(*) from cells where source_url = ?", [second[1]]).fetchone()[0] == 0
    assert db.execute("select count(*) from organs where id = ?", [town["name"]]).fetchone()[0] == 1
    assert db.execute("select count(*) from search_index").fetchone()[0] == 2


def test_downloads_in_one_pass_are_the_selections_csv_files(web_archive, tmp_path):
    """Every CSV of every zip, byte for byte, as one query per selection writes it (the way they
    were built before: each selection's rows in rowid order through csvout.write_csv)."""
    db = sqlite_utils.Database(web_archive / "xxgk.db")
    manifest = build_downloads(db, tmp_path)
    sels = selections(db)
    assert [m["name"] for m in manifest] == [s["name"] for s in sels]
    assert {s["kind"] for s in sels} == {"all", "year", "province"}
    for sel, entry in zip(sels, manifest):
        zf = zipfile.ZipFile(tmp_path / sel["name"])
        ids = f"select id from reports where {sel['where']}"
        for table, where in ZIP_TABLES:
            columns = [c.name for c in db[table].columns]
            rows = list(db.execute(f"select {', '.join(f'[{c}]' for c in columns)} from [{table}]"
                                   f" where {where.format(ids=ids)} order by rowid",
                                   sel["args"] * where.count("{ids}")))
            raw = io.BytesIO()
            with io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as fh:
                write_csv(fh, columns, rows)
                fh.flush()
                expected = raw.getvalue()
            assert zf.read(f"{table}.csv") == expected, (sel["name"], table)
            assert entry["files"][f"{table}.csv"] == len(rows)
        assert entry["reports"] == db.execute(f"select count(*) from reports where {sel['where']}",
                                              sel["args"]).fetchone()[0]
    db.conn.close()


def test_downloads_in_one_pass_keep_formulas_out(tmp_path):
    from .test_csv_safety import FORMULAS, formula_archive

    formula_archive(tmp_path)
    db = sqlite_utils.Database(tmp_path / "xxgk.db")
    build_region_totals(db)
    build_downloads(db, tmp_path / DOWNLOADS)
    text = zipfile.ZipFile(tmp_path / DOWNLOADS / "xxgk-all.zip").read("reports.csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert sorted(r["title"][1:len(f) + 1] for r, f in zip(sorted(rows, key=lambda r: r["title"]), sorted(FORMULAS))) \
        == sorted(FORMULAS)
    assert [r["title"][:1] for r in rows] == ["'"] * len(FORMULAS)
    db.conn.close()
