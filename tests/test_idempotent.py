"""A second crawl of the same portal adds and changes nothing."""
import sqlite_utils

from archive.store import DB_NAME

from .conftest import run_xxgk

CONTENT_TABLES = ("organs", "reports", "sources", "cells", "checks")


def dump(data):
    db = sqlite_utils.Database(data / DB_NAME)
    return {t: sorted(map(tuple, db.execute(f"select * from [{t}]").fetchall())) for t in CONTENT_TABLES}


def test_second_crawl_changes_nothing(copy_archive, simulator):
    before = dump(copy_archive)
    second = run_xxgk("crawl", "--data", copy_archive, "--fast", "-q", f"{simulator.url}{simulator.world.start_path}")
    assert "63 reports seen: 0 new, 0 changed, 63 unchanged" in second.stdout
    after = dump(copy_archive)
    assert {t: len(rows) for t, rows in after.items()} == {t: len(rows) for t, rows in before.items()}
    assert after == before


def test_each_run_is_recorded(copy_archive, simulator):
    run_xxgk("crawl", "--data", copy_archive, "--fast", "-q", f"{simulator.url}{simulator.world.start_path}")
    db = sqlite_utils.Database(copy_archive / DB_NAME)
    runs = db.execute("select reports_new, reports_unchanged, pages from crawl_runs order by id").fetchall()
    # 75 pages of the portal (robots.txt, column and town list pages, 63 reports) and 2 of the
    # discovery that recognises the platform of the bare URL (its robots.txt and the column page).
    assert runs == [(63, 0, 77), (0, 63, 77)]
