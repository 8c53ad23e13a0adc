"""A crawl of the simulated TRS portal archives exactly its reports, every cell equal to the truth."""
from decimal import Decimal

import sqlite_utils

from archive.store import DB_NAME


def truth_cells(world):
    for r in world.reports:
        for table, rows in r.values.items():
            for row, cols in rows.items():
                for col, v in cols.items():
                    yield (r.organ.name, r.year, table, row, col), v


def db(data):
    return sqlite_utils.Database(data / DB_NAME)


def test_crawl_reports_its_counts(crawled):
    _, first = crawled
    assert "63 reports seen: 63 new, 0 changed, 0 unchanged" in first.stdout


def test_every_report_archived_once(crawled, simulator):
    archive = db(crawled[0])
    got = sorted(archive.execute("select organ, year from reports").fetchall())
    want = sorted((r.organ.name, r.year) for r in simulator.world.reports)
    assert len(want) == 63
    assert got == want


def test_no_news_item_archived(crawled, simulator):
    titles = {t for (t,) in db(crawled[0]).execute("select title from sources")}
    news = {n.title for n in simulator.world.news}
    assert len(simulator.world.news) == 21
    assert titles & news == set()
    assert titles == {r.title for r in simulator.world.reports}


def test_sources_point_at_the_article_urls(crawled, simulator):
    urls = {u for (u,) in db(crawled[0]).execute("select url from sources")}
    assert urls == {simulator.url + simulator.world.url_of(r) for r in simulator.world.reports}


def test_every_cell_equals_ground_truth(crawled, simulator):
    archive = db(crawled[0])
    got = {
        (organ, year, t, r, c): v
        for organ, year, t, r, c, v in archive.execute(
            "select reports.organ, reports.year, table_name, row_key, col_key, value"
            " from cells join reports on reports.id = cells.report_id")
    }
    want = dict(truth_cells(simulator.world))
    assert len(got) == len(want) == 12564
    wrong = {k: (got.get(k), v) for k, v in want.items() if got.get(k) is None or Decimal(str(got[k])) != v}
    assert wrong == {}


def test_templates_and_publication_dates(crawled, simulator):
    archive = db(crawled[0])
    got = {(o, y): (t, p) for o, y, t, p in archive.execute("select organ, year, template, published from reports")}
    want = {(r.organ.name, r.year): (r.template, r.pub_date.isoformat()) for r in simulator.world.reports}
    assert got == want


def test_raw_text_kept_beside_value(crawled, simulator):
    r = simulator.world.reports[0]
    archive = db(crawled[0])
    (raw, value, status), = archive.execute(
        "select raw, value, status from cells join reports on reports.id = cells.report_id"
        " where reports.organ = ? and reports.year = ? and table_name = 'applications'"
        " and row_key = 'new_received' and col_key = 'total'", [r.organ.name, r.year])
    assert raw == str(r.values["applications"]["new_received"]["total"])
    assert value == int(r.values["applications"]["new_received"]["total"])
    assert status == "number"


def test_organs_with_their_level(crawled):
    archive = db(crawled[0])
    levels = dict(archive.execute("select name, level from organs"))
    assert levels == {
        "云溪县人民政府": "county",
        "云溪县教育局": "department", "云溪县财政局": "department",
        "云溪县卫生健康局": "department", "云溪县市场监督管理局": "department",
        "云溪县城关镇": "town", "云溪县梅林镇": "town", "云溪县石桥乡": "town", "云溪县慈周寨镇": "town",
    }
