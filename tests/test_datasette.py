"""Datasette serving the archive answers a search and a CSV download."""
import csv
import io

import httpx
import pytest
import sqlite_utils

from archive.store import DB_NAME

from .conftest import datasette


@pytest.fixture(scope="module")
def site(crawled):
    with datasette(crawled[0]) as base:
        yield base


def test_search_finds_a_town(site):
    rows = httpx.get(f"{site}/xxgk/reports.json", params={"_search": "梅林镇", "_shape": "array", "_col": "year"}).json()
    assert sorted(r["year"] for r in rows) == [2019, 2020, 2021, 2022, 2023, 2024, 2025]


def test_reports_csv_download(site, crawled):
    r = httpx.get(f"{site}/xxgk/reports.csv", params={"_size": "max", "_col": ["organ", "year", "template"]})
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.text)))
    db = sqlite_utils.Database(crawled[0] / DB_NAME)
    want = sorted((o, str(y), t) for o, y, t in db.execute("select organ, year, template from reports"))
    assert sorted((x["organ"], x["year"], x["template"]) for x in rows) == want


def test_cells_csv_matches_database(site, crawled):
    db = sqlite_utils.Database(crawled[0] / DB_NAME)
    (rid,) = db.execute("select id from reports where organ = '云溪县石桥乡' and year = 2023").fetchone()
    r = httpx.get(f"{site}/xxgk/cells.csv", params={"report_id": rid, "_size": "max", "_col": ["row_key", "col_key", "value"]})
    got = sorted((x["row_key"], x["col_key"], x["value"]) for x in csv.DictReader(io.StringIO(r.text)))
    want = sorted((rk, ck, str(v)) for rk, ck, v in db.execute(
        "select row_key, col_key, value from cells where report_id = ?", [rid]))
    assert len(got) == 200
    assert got == want


def test_canned_query_organ_across_years(site):
    rows = httpx.get(f"{site}/xxgk/organ_across_years.json", params={"organ": "石桥乡", "_shape": "array"}).json()
    assert [r["年度"] for r in rows] == [2019, 2020, 2021, 2022, 2023, 2024, 2025]
