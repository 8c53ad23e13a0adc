"""A second crawl of the same portal adds and changes nothing."""
import sqlite_utils

from archive.store import DB_NAME

from .conftest import run_xxgk

CONTENT_TABLES = ("organs", "reports", "sources", "versions", "cells", "cells_history", "checks",
                  "active_wide", "applications_wide", "reviews_wide", "report_texts")
BOOKKEEPING = {"last_seen_run"}  # which run last saw a source: a record of the run, not of the report


def dump(data):
    db = sqlite_utils.Database(data / DB_NAME)
    out = {}
    for t in CONTENT_TABLES:
        cols = ", ".join(f"[{c.name}]" for c in db[t].columns if c.name not in BOOKKEEPING)
        out[t] = sorted(map(tuple, db.execute(f"select {cols} from [{t}]").fetchall()))
    return out


def test_second_crawl_changes_nothing(copy_archive, simulator):
    before = dump(copy_archive)
    second = run_xxgk("crawl", "--data", copy_archive, "--fast", "-q", f"{simulator.url}{simulator.world.start_path}")
    # The TRS portal gives ETags: every report answers 304 Not Modified and nothing is downloaded.
    assert "63 reports seen: 0 new, 0 changed, 0 unchanged" in second.stdout
    assert "63 not modified (304)" in second.stdout
    after = dump(copy_archive)
    assert {t: len(rows) for t, rows in after.items()} == {t: len(rows) for t, rows in before.items()}
    assert after == before
    db = sqlite_utils.Database(copy_archive / DB_NAME)
    last_run = db.execute("select max(id) from crawl_runs").fetchone()[0]
    assert db.execute("select count(*) from sources where last_seen_run = ?", [last_run]).fetchone()[0] == 63


def test_each_run_is_recorded(copy_archive, simulator):
    run_xxgk("crawl", "--data", copy_archive, "--fast", "-q", f"{simulator.url}{simulator.world.start_path}")
    db = sqlite_utils.Database(copy_archive / DB_NAME)
    runs = db.execute("select reports_new, reports_unchanged, not_modified, pages from crawl_runs order by id").fetchall()
    # 75 pages of the portal (robots.txt, column and town list pages, 63 reports) and 2 of the
    # discovery that recognises the platform of the bare URL (its robots.txt and the column page).
    assert runs == [(63, 0, 0, 77), (0, 0, 63, 14)]


def test_second_crawl_without_etags_compares_digests(tmp_path):
    """A Hanweb portal gives no ETag or Last-Modified: the reports are fetched again, found
    byte-identical by their SHA-256, and nothing changes."""
    from crawler.simulator.server import Simulator

    data = tmp_path / "data"
    with Simulator(seed=2024, only=["danxi"]) as sim:
        registry = tmp_path / "portals.yml"
        from crawler.registry import dump as dump_registry

        dump_registry(sim.registry(), registry)
        first = run_xxgk("crawl", "--data", data, "--fast", "-q", "--registry", registry)
        before = dump(data)
        second = run_xxgk("crawl", "--data", data, "--fast", "-q", "--registry", registry)
    n = len(sim.portal("danxi").expected_listings())
    assert f"{n} reports seen: 0 new, 0 changed, {n} unchanged" in second.stdout
    assert "not modified" not in second.stdout
    assert dump(data) == before
    assert first.returncode == second.returncode == 0
