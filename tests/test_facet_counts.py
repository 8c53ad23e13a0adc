"""Whole-table facets of the reports page come from facet_counts, kept exact by triggers: the
same numbers as grouping every report, after any write, and in an archive made before it."""
import shutil

import httpx
import pytest
import sqlite_utils

from archive.store import DB_NAME, FACET_COUNTED, Archive

FACETS = ("province", "city", "year", "template", "check_status")  # metadata.yml's facets


def grouped(db, column, where="1"):
    return [(v, n) for v, n in db.execute(
        f"select [{column}], count(*) as n from reports where [{column}] is not null and {where}"
        f" group by [{column}] order by n desc, [{column}]")]


def served(base, **params):
    data = httpx.get(f"{base}/xxgk/reports.json", params=params).json()
    return {f["name"]: [(r["value"], r["count"]) for r in f["results"]] for f in data["facet_results"].values()}


@pytest.fixture()
def archive_copy(web_archive, tmp_path):
    shutil.copy(web_archive / DB_NAME, tmp_path / DB_NAME)
    return tmp_path


def test_an_older_archive_gains_exact_counts(archive_copy):
    db = sqlite_utils.Database(archive_copy / DB_NAME)
    db.execute("drop table facet_counts")
    for (name,) in db.execute("select name from sqlite_master where type = 'trigger' and name like 'facet_counts%'").fetchall():
        db.execute(f"drop trigger [{name}]")
    db.conn.commit()
    db.close()
    Archive(archive_copy).close()
    db = sqlite_utils.Database(archive_copy / DB_NAME)
    for column in FACET_COUNTED["reports"]:
        stored = [(v, n) for v, n in db.execute(
            "select value, count from facet_counts where table_name = 'reports' and column_name = ?"
            " order by count desc, value", [column])]
        assert stored == grouped(db, column), column
    assert sum(n for _, n in grouped(db, "year")) == 66


def test_page_facets_equal_grouping_and_follow_writes(archive_copy):
    from tests.conftest import datasette

    db = sqlite_utils.Database(archive_copy / DB_NAME)
    with datasette(archive_copy) as base:
        before = served(base)
        assert before == {c: grouped(db, c)[:30] for c in FACETS}
        assert dict(before["year"])[2024] == 11
        # A correction moves a report to another year while the server runs: counts follow.
        rid = db.execute("select id from reports where year = 2024 order by id limit 1").fetchone()[0]
        with db.conn:
            db.execute("update reports set year = 2025, check_status = 'failed' where id = ?", [rid])
        after = served(base)
        assert dict(after["year"])[2024] == 10
        assert after == {c: grouped(db, c)[:30] for c in FACETS}
        # A filtered page is faceted over its own rows, as Datasette does.
        assert served(base, year="2025")["check_status"] == grouped(db, "check_status", "year = 2025")
