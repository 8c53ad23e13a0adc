"""A second crawl of the same portal adds and changes nothing, and fetches only the month's
share of re-checks: the list entries of the archived reports are unchanged."""
import sqlite_utils

from archive.store import DB_NAME
from crawler.recrawl import ensure_attachments, join_rotation, rechecks_due

from .conftest import run_xxgk

CONTENT_TABLES = ("organs", "reports", "sources", "versions", "cells", "cells_history", "checks",
                  "active_wide", "applications_wide", "reviews_wide", "report_texts")
BOOKKEEPING = {"last_seen_run"}  # which run last saw a source: a record of the run, not of the report
MONTH = "2026-01"


def dump(data):
    db = sqlite_utils.Database(data / DB_NAME)
    out = {}
    for t in CONTENT_TABLES:
        cols = ", ".join(f"[{c.name}]" for c in db[t].columns if c.name not in BOOKKEEPING)
        out[t] = sorted(map(tuple, db.execute(f"select {cols} from [{t}]").fetchall()))
    return out


def due(data, month=MONTH) -> int:
    """Archived reports the rotation re-checks in `month`: the places the next crawl gives them
    (join_rotation, as it does at its start)."""
    db = sqlite_utils.Database(data / DB_NAME)
    ensure_attachments(db)
    join_rotation(db)
    return len(rechecks_due(db, month, 1 / 12))


def test_second_crawl_changes_nothing(copy_archive, simulator):
    before = dump(copy_archive)
    n = due(copy_archive)
    assert 0 < n < 63
    second = run_xxgk("crawl", "--data", copy_archive, "--fast", "-q", "--month", MONTH,
                      f"{simulator.url}{simulator.world.start_path}")
    # The month's share is asked for again; the TRS portal gives ETags: each answers 304 Not
    # Modified and nothing is downloaded. The others are not asked for at all.
    assert "63 reports seen: 0 new, 0 changed, 0 unchanged" in second.stdout
    assert (f"{63 - n} known with an unchanged list entry (not fetched), {n} known re-checked, "
            f"{n} not modified (304)") in second.stdout
    after = dump(copy_archive)
    assert {t: len(rows) for t, rows in after.items()} == {t: len(rows) for t, rows in before.items()}
    assert after == before
    db = sqlite_utils.Database(copy_archive / DB_NAME)
    last_run = db.execute("select max(id) from crawl_runs").fetchone()[0]
    assert db.execute("select count(*) from sources where last_seen_run = ?", [last_run]).fetchone()[0] == 63


def test_verify_rechecks_every_report(copy_archive, simulator):
    second = run_xxgk("crawl", "--data", copy_archive, "--fast", "-q", "--verify",
                      f"{simulator.url}{simulator.world.start_path}")
    assert "63 reports seen: 0 new, 0 changed, 0 unchanged" in second.stdout
    assert "63 known re-checked, 63 not modified (304)" in second.stdout
    assert "not fetched" not in second.stdout


def test_each_run_is_recorded(copy_archive, simulator):
    n = due(copy_archive)
    run_xxgk("crawl", "--data", copy_archive, "--fast", "-q", "--month", MONTH, f"{simulator.url}{simulator.world.start_path}")
    db = sqlite_utils.Database(copy_archive / DB_NAME)
    runs = db.execute("select reports_new, reports_unchanged, not_modified, pages from crawl_runs order by id").fetchall()
    # 75 pages of the portal (robots.txt, 11 list pages of 5 columns, 63 reports) and 2 of the
    # discovery that recognises the platform of the bare URL (its robots.txt and the column page);
    # then the same 2 of discovery, robots.txt and the first page of each column (the later pages
    # show nothing new), and the month's re-checks, answered 304 (not counted as pages fetched).
    columns = simulator.world.columns
    assert len(columns) == 5
    assert runs == [(63, 0, 0, 77), (0, 0, n, 2 + 1 + len(columns))]


def test_second_crawl_without_etags_compares_digests(tmp_path):
    """A Hanweb portal gives no ETag or Last-Modified: the month's share of its reports is
    fetched again, found byte-identical by its SHA-256, and nothing changes."""
    from crawler.simulator.server import Simulator

    data = tmp_path / "data"
    with Simulator(seed=2024, only=["danxi"]) as sim:
        registry = tmp_path / "portals.yml"
        from crawler.registry import dump as dump_registry

        dump_registry(sim.registry(), registry)
        first = run_xxgk("crawl", "--data", data, "--fast", "-q", "--registry", registry)
        before = dump(data)
        second = run_xxgk("crawl", "--data", data, "--fast", "-q", "--registry", registry, "--month", MONTH)
        third = run_xxgk("crawl", "--data", data, "--fast", "-q", "--registry", registry, "--verify")
    n = len(sim.portal("danxi").expected_listings())
    k = due(data)
    assert f"{n} reports seen: 0 new, 0 changed, {k} unchanged" in second.stdout
    assert f"{n - k} known with an unchanged list entry (not fetched), {k} known re-checked" in second.stdout
    assert f"{n} reports seen: 0 new, 0 changed, {n} unchanged" in third.stdout
    assert "not modified" not in second.stdout + third.stdout
    assert dump(data) == before
    assert first.returncode == second.returncode == third.returncode == 0
