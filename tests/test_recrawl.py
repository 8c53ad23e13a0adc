"""Yearly re-crawls: a second "year" of the simulator adds exactly its new reports, records a
corrected report as a second version, marks a removed report, and changes nothing else. The
yearly crawl is a `--verify` one (as `xxgk schedule` sets it): every archived report re-checked,
every list page read, so a report taken down is found gone. (Monthly runs: test_deltafetch.py.)"""
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import sqlite_utils

from archive.snapshots import read_snapshot
from archive.store import DB_NAME
from crawler.simulator.epochs import next_year
from crawler.simulator.server import Simulator

from .conftest import run_xxgk

TABLES = ("reports", "sources", "versions", "cells", "checks", "applications_wide", "report_texts")
RUN_COLUMNS = {"last_seen_run"}


def rows_by_report(db, table):
    key = "id" if table == "reports" else "report_id"
    cols = [c.name for c in db[table].columns if c.name not in RUN_COLUMNS]
    out = {}
    for row in db.execute(f"select {', '.join(f'[{c}]' for c in cols)} from [{table}]"):
        out.setdefault(row[cols.index(key)], []).append(tuple(row))
    return {k: sorted(v) for k, v in out.items()}


def snapshot_of(data):
    db = sqlite_utils.Database(data / DB_NAME)
    return {t: rows_by_report(db, t) for t in TABLES}


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    data = tmp_path_factory.mktemp("years") / "data"
    with Simulator(seed=2024, only=["yunxi"]) as sim:
        url = sim.url + sim.world.start_path
        first = run_xxgk("crawl", "--data", data, "--fast", "-q", url)
        before = snapshot_of(data)
        changes = next_year(sim.portal("yunxi"))
        requests_before = len(sim.requests)
        second = run_xxgk("crawl", "--data", data, "--fast", "-q", "--verify", url)
        requests = sim.requests[requests_before:]
        not_modified = list(sim.not_modified)
    return data, first, second, before, snapshot_of(data), changes, requests, not_modified


def report_id(data, organ, year):
    db = sqlite_utils.Database(data / DB_NAME)
    return db.execute("select id from reports where organ = ? and year = ?", [organ, year]).fetchone()[0]


def test_second_year_summary(two_years):
    second = two_years[2].stdout
    # 15 list pages (the county column grew a fourth), 10 articles fetched in full
    assert ("crawl: 25 pages fetched, 71 reports seen: 9 new, 0 changed, 0 unchanged, 0 more sources of known "
            "reports, 0 failed, 1 corrected (new version), 62 known re-checked, 61 not modified (304), 1 no longer online") in second


def test_only_new_and_changed_pages_downloaded(two_years):
    *_, changes, requests, not_modified = two_years
    article_gets = [p for _, m, p in requests if "/t20" in p]
    assert len(article_gets) == 71  # 61 answered 304, 9 new, 1 corrected
    assert len(not_modified) == 61


def test_new_reports_added_exactly(two_years):
    data, _, _, before, after, changes, *_ = two_years
    new_ids = {report_id(data, r.organ.name, r.year) for r in changes.new}
    assert len(new_ids) == 9
    assert set(after["reports"]) - set(before["reports"]) == new_ids


def test_new_report_cells_equal_truth(two_years):
    data, *_, changes, _, _ = two_years
    db = sqlite_utils.Database(data / DB_NAME)
    for r in changes.new:
        got = {(t, row, col): Decimal(str(v)) for t, row, col, v in db.execute(
            "select table_name, row_key, col_key, value from cells where report_id = ?",
            [report_id(data, r.organ.name, r.year)])}
        want = {(t, row, col): v for t, rows in r.values.items() for row, cols in rows.items() for col, v in cols.items()}
        assert got == want


def test_corrected_report_is_a_second_version(two_years):
    data, *_, changes, _, _ = two_years
    db = sqlite_utils.Database(data / DB_NAME)
    rid = report_id(data, changes.corrected.organ.name, changes.corrected.year)
    versions = db.execute("select version, current from versions where report_id = ? order by version", [rid]).fetchall()
    assert versions == [(1, 0), (2, 1)]
    new_value = changes.corrected.values["active"]["licensing"]["decisions"]
    (current,) = db.execute("select value from cells where report_id = ? and table_name = 'active'"
                            " and row_key = 'licensing' and col_key = 'decisions'", [rid]).fetchone()
    (earlier,) = db.execute("select value from cells_history where version_id = ? and table_name = 'active'"
                            " and row_key = 'licensing' and col_key = 'decisions'", [f"{rid}/v1"]).fetchone()
    assert (current, earlier) == (int(new_value), int(new_value) - 7)


def test_removed_report_kept_and_marked_offline(two_years):
    data, _, _, before, after, changes, *_ = two_years
    db = sqlite_utils.Database(data / DB_NAME)
    rid = report_id(data, changes.removed.organ.name, changes.removed.year)
    assert db.execute("select online from reports where id = ?", [rid]).fetchone() == (0,)
    online, gone = db.execute("select online, gone_since from sources where report_id = ?", [rid]).fetchone()
    assert (online, gone is not None) == (0, True)
    assert after["cells"][rid] == before["cells"][rid]


def test_nothing_else_changed(two_years):
    data, _, _, before, after, changes, *_ = two_years
    touched = {report_id(data, r.organ.name, r.year) for r in (changes.corrected, changes.removed)}
    for table in TABLES:
        unchanged_before = {k: v for k, v in before[table].items() if k not in touched}
        unchanged_after = {k: v for k, v in after[table].items() if k in unchanged_before}
        assert unchanged_after == unchanged_before, table


def test_runs_recorded(two_years):
    db = sqlite_utils.Database(two_years[0] / DB_NAME)
    runs = db.execute("select status, reports_new, reports_changed, not_modified, gone from crawl_runs order by id").fetchall()
    assert runs == [("finished", 63, 0, 0, 0), ("finished", 9, 1, 61, 1)]


def test_every_cell_leads_to_its_snapshot(two_years):
    data = two_years[0]
    db = sqlite_utils.Database(data / DB_NAME)
    rows = db.execute(
        "select c.source_url, v.warc_file, v.warc_offset, v.sha256, c.snapshot, v.id from cells c"
        " join versions v on v.id = c.version_id group by c.version_id").fetchall()
    assert len(rows) == 72
    for url, warc_file, offset, digest, link, version_id in rows:
        target, _, body = read_snapshot(data, warc_file, offset)
        assert target == url
        assert __import__("hashlib").sha256(body).hexdigest() == digest
        assert link == f"/snapshot/{version_id}"


def test_warc_files_pass_warcio_check(two_years):
    files = sorted((two_years[0] / "warc").glob("*.warc.gz"))
    assert len(files) == 2
    warcio = Path(sys.executable).with_name("warcio")
    p = subprocess.run([str(warcio), "check", "-v", *map(str, files)], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.count("digest pass") == 73  # 63 + 9 new + 1 corrected: one record each
    assert "fail" not in p.stdout


def test_datasette_links_a_cell_to_its_warc_record(two_years):
    import httpx

    from .conftest import datasette

    data, *_, changes, _, _ = two_years
    rid = report_id(data, changes.corrected.organ.name, changes.corrected.year)
    with datasette(data) as base:
        cell = f"{rid}/active/licensing/decisions"
        page = httpx.get(f"{base}/xxgk/cells/{cell.replace('/', '~2F')}").text
        assert f'<a href="/snapshot/{rid}/v2">存档副本</a>' in page
        archived = httpx.get(f"{base}/snapshot/{rid}/v2")
        assert archived.status_code == 200
        assert archived.headers["content-security-policy"].startswith("sandbox")
        assert changes.corrected.title in archived.text
        earlier = httpx.get(f"{base}/snapshot/{rid}/v1")
        assert earlier.text != archived.text  # the first version's bytes, as fetched then
