"""The readers' pages in real headless Chromium (Debian's, through Playwright), each checked
against the database: search results, compare, region totals, bulk downloads, Atom feeds after
a re-crawl, coverage, cited cells; and a plain `datasette data/xxgk.db -m metadata.yml` that
loads the plugin through the package's entry point."""
from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
import sqlite_utils

from archive.store import DB_NAME

from .conftest import ROOT, datasette, free_port, run_xxgk, wait_http
from .test_browser import CHROMIUM, FLAGS, like_count

ATOM = "{http://www.w3.org/2005/Atom}"
DENIED = ["denied_state_secret", "denied_law_prohibited", "denied_three_security", "denied_third_party",
          "denied_internal_affairs", "denied_process_info", "denied_enforcement_file", "denied_query_matter"]


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        context = browser.new_context(accept_downloads=True, locale="zh-CN")
        yield context.new_page()
        browser.close()


def db_of(data: Path) -> sqlite_utils.Database:
    return sqlite_utils.Database(data / DB_NAME)


def one(db, sql, args=()):
    return db.execute(sql, list(args)).fetchone()


def number(text: str):
    """The value of a page's number cell: '57 (-10)' → 57; '—' → None."""
    value = text.split("(")[0].strip()
    return None if value in ("—", "") else int(value) if re.fullmatch(r"-?\d+", value) else float(value)


# Search results ------------------------------------------------------------------------------
def test_search_results_one_compact_row_per_report(page, web_site, web_archive):
    db = db_of(web_archive)
    total = like_count(web_archive, "复议")
    assert total > 50  # so that paging is exercised
    page.goto(web_site + "/xxgk/reports?_search=%E5%A4%8D%E8%AE%AE")
    assert page.locator(".xxgk-count strong").inner_text() == f"{total:,}"
    rows = page.locator("tr.xxgk-result")
    assert rows.count() == 50
    first = rows.first
    rid = first.get_attribute("data-id")
    title, organ, province, county, year, status = one(
        db, "select title, organ, province, county, year, check_status from reports where id = ?", [rid])
    assert first.locator("td.col-title > a").inner_text() == title
    assert first.locator("td.col-organ").inner_text() == organ
    assert first.locator("td.col-place").inner_text().split() == [p for p in (province, county) if p]
    assert first.locator("td.col-year").inner_text() == str(year)
    assert first.locator("td.col-check_status").inner_text() == {"passed": "勾稽关系通过"}.get(status, status)
    assert first.locator(".col-text mark").first.inner_text() == "复议"
    # Facets beside the results, not above them.
    facets, table = page.locator(".facet-results").bounding_box(), page.locator("table.xxgk-results").bounding_box()
    assert facets["x"] > table["x"] + table["width"] - 1
    # The same CSV/JSON links as Datasette's table, for the same search.
    csv_href = page.locator(".export-links a", has_text="CSV").first.get_attribute("href")
    assert "_search=" in csv_href and ".csv" in csv_href
    # Paging: the next page holds the rest (Datasette's keyset paging may repeat a report whose
    # sort key ties with the last one shown; none is lost).
    seen = set(rows.evaluate_all("rows => rows.map(r => r.dataset.id)"))
    page.locator("a.xxgk-next").first.click()
    page.wait_for_url("**_next=*")
    seen |= set(page.locator("tr.xxgk-result").evaluate_all("rows => rows.map(r => r.dataset.id)"))
    assert len(seen) == total
    # The raw table is one click away, with every column.
    page.locator("a.xxgk-view-switch").click()
    page.wait_for_url("**_view=raw*")
    headers = page.locator("table.rows-and-columns th").all_inner_texts()
    assert {"template", "check_status", "unknown_cells"} <= {h.strip() for h in headers}


# Compare -------------------------------------------------------------------------------------
def expected_metrics(db, rid):
    a = dict(zip([c.name for c in db["applications_wide"].columns],
                 one(db, "select * from applications_wide where report_id = ?", [rid])))
    v = dict(zip([c.name for c in db["reviews_wide"].columns],
                 one(db, "select * from reviews_wide where report_id = ?", [rid])))
    return {"new_received": a["new_received__total"], "granted": a["granted__total"],
            "denied": sum(a[f"{k}__total"] or 0 for k in DENIED),
            "unavailable": sum(a[f"unavailable_{k}__total"] or 0 for k in ("not_held", "needs_creation", "unclear")),
            "review": v["review__total"],
            "litigation": (v["litigation_direct__total"] or 0) + (v["litigation_after_review__total"] or 0)}


def test_compare_two_organs_with_change_chart_and_csv(page, web_site, web_archive, tmp_path):
    db = db_of(web_archive)
    organs = ("云溪县慈周寨镇", "云溪县梅林镇")
    page.goto(web_site + "/compare")
    page.fill("input[name=organs]", "、".join(organs))
    page.select_option("select[name=from]", "2021")
    page.click(".xxgk-compare-form button")
    page.wait_for_url("**/compare?*")
    url = page.url
    years = [y for (y,) in db.execute("select year from reports where organ = ? and year >= 2021 and template is not null"
                                      " order by year", [organs[0]])]
    assert page.locator("table.xxgk-compare-table tbody tr").count() == 2 * len(years)
    rid, prev = (one(db, "select id from reports where organ = ? and year = ?", [organs[0], y])[0] for y in (2023, 2022))
    want, before = expected_metrics(db, rid), expected_metrics(db, prev)
    row = page.locator(f"tr[data-unit='{organs[0]}'][data-year='2023']")
    for key, value in want.items():
        cell = row.locator(f"td[data-metric={key}]")
        assert number(cell.locator(".xxgk-value").inner_text()) == value, key
        change = cell.locator(".xxgk-change").inner_text()
        assert int(change.strip("()")) == value - before[key], key
    # A chart: one line per organ, the first through every year's 新收申请.
    assert page.locator("svg.xxgk-chart polyline.xxgk-series").count() == 2
    assert len(page.locator(f"polyline[data-unit='{organs[0]}']").get_attribute("points").split()) == len(years)
    # The URL is the view: opened again, the same table.
    page.goto(url)
    assert number(page.locator(f"tr[data-unit='{organs[0]}'][data-year='2023'] td[data-metric=new_received]")
                  .inner_text()) == want["new_received"]
    with page.expect_download() as info:
        page.click("a.xxgk-csv")
    info.value.save_as(tmp_path / "compare.csv")
    raw = (tmp_path / "compare.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    line = next(r for r in rows if r["对象"] == organs[0] and r["年度"] == "2023")
    assert int(line["不予公开"]) == want["denied"] and int(line["行政诉讼"]) == want["litigation"]
    assert int(line["新收申请同比增减"]) == want["new_received"] - before["new_received"]
    assert line["报告编号"] == rid


def test_compare_all_organs_of_a_county(page, web_site, web_archive):
    db = db_of(web_archive)
    page.goto(web_site + "/compare?county=" + quote("云溪县") + "&from=2024&to=2024")
    units = set(page.locator("table.xxgk-compare-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.unit)"))
    assert units == {o for (o,) in db.execute(
        "select distinct organ from reports where county = '云溪县' and year = 2024 and template is not null")}


# Region totals -------------------------------------------------------------------------------
def test_region_total_recomputed_in_sql(page, web_site, web_archive, tmp_path):
    db = db_of(web_archive)
    page.goto(web_site + "/totals")
    page.select_option("select[name=level]", "county")
    page.select_option("select[name=year]", "2023")
    page.click("form.xxgk-search button")
    page.wait_for_url("**level=county*")
    row = page.locator("tr[data-region='云溪县'][data-year='2023']")
    organs, reports, new, denied, review = one(db, (
        "select count(distinct r.organ_id), count(*), sum(a.new_received__total), sum({d}), sum(v.review__total)"
        " from reports r join applications_wide a on a.report_id = r.id join reviews_wide v on v.report_id = r.id"
        " where r.county = '云溪县' and r.year = 2023").format(d=" + ".join(f"a.{k}__total" for k in DENIED)))
    assert int(row.locator(".xxgk-organs").inner_text()) == organs == 9
    assert int(row.locator(".xxgk-reports").inner_text()) == reports
    assert number(row.locator("td[data-metric=new_received]").inner_text()) == new
    assert number(row.locator("td[data-metric=denied]").inner_text()) == denied
    assert number(row.locator("td[data-metric=review]").inner_text()) == review
    # Every cell of region_totals equals its sum recomputed from the wide tables.
    from archive.derived import sum_columns

    for column, table in sum_columns():
        got = one(db, f"select [{column}] from region_totals where level = 'province' and region = '福建省'"
                      " and year = 2022")[0]
        assert got == one(db, f"select sum(w.[{column}]) from reports r join [{table}] w on w.report_id = r.id"
                              " where r.province = '福建省' and r.year = 2022")[0], column
    # Its CSV: the table's own rows.
    with page.expect_download() as info:
        page.click("a.xxgk-csv")
    info.value.save_as(tmp_path / "totals.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "totals.csv").read_text(encoding="utf-8-sig"))))
    assert len(rows) == one(db, "select count(*) from region_totals where level = 'county' and year = 2023")[0]
    assert int(rows[0]["new_received__total"]) == new


# Bulk downloads ------------------------------------------------------------------------------
def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def as_csv(values) -> list[str]:
    return ["" if v is None else str(v) for v in values]


def test_download_zip_of_a_year_equals_the_table(page, web_site, web_archive, tmp_path):
    db = db_of(web_archive)
    page.goto(web_site + "/downloads")
    row = page.locator("tr[data-name='xxgk-2023.zip']")
    n_reports = one(db, "select count(*) from reports where year = 2023")[0]
    assert int(row.locator("td").nth(2).inner_text()) == n_reports
    size = (web_archive / "downloads" / "xxgk-2023.zip").stat().st_size
    assert row.locator("td").nth(3).inner_text() == f"{max(1, round(size / 1024))} KB"
    assert page.locator("tr[data-name='xxgk-province-35.zip']").count() == 1
    with page.expect_download() as info:
        row.locator("a").click()
    info.value.save_as(tmp_path / "y.zip")
    with zipfile.ZipFile(tmp_path / "y.zip") as zf:
        assert {"reports.csv", "cells.csv", "applications_wide.csv", "reviews_wide.csv", "region_totals.csv",
                "data_dictionary.csv"} <= set(zf.namelist())
        rows = csv_rows(zf.read("applications_wide.csv"))
        cols = [c.name for c in db["applications_wide"].columns]
        assert rows[0] == cols
        want = [as_csv(r) for r in db.execute(
            f"select {', '.join(cols)} from applications_wide where report_id in"
            " (select id from reports where year = 2023) order by rowid")]
        assert rows[1:] == want and len(want) == n_reports
        cells = csv_rows(zf.read("cells.csv"))
        assert len(cells) - 1 == one(db, "select count(*) from cells where report_id in"
                                         " (select id from reports where year = 2023)")[0]
        dictionary = {(r[0], r[2]): r[3] for r in csv_rows(zf.read("data_dictionary.csv"))[1:]}
        assert dictionary[("applications_wide.csv", "new_received__total")] == "一、本年新收政府信息公开申请数量 · 总计"
        assert dictionary[("reports.csv", "year")].startswith("报告年度")
    # `xxgk export` writes the same files.
    out = tmp_path / "export"
    run_xxgk("export", "--data", web_archive, "--out", out)
    with zipfile.ZipFile(out / "xxgk-2023.zip") as a, zipfile.ZipFile(tmp_path / "y.zip") as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        for name in a.namelist():
            assert a.read(name) == b.read(name), name


# A crawled archive, crawled again a year later: feeds, coverage, cited cells ----------------------
@pytest.fixture(scope="module")
def recrawled(tmp_path_factory):
    from crawler.registry import dump
    from crawler.simulator.epochs import next_year
    from crawler.simulator.server import Simulator

    tmp = tmp_path_factory.mktemp("recrawled")
    data = tmp / "data"
    with Simulator(seed=2024, only=["yunxi", "jsl"]) as sim:
        dump(sim.registry(), tmp / "portals.yml")
        run_xxgk("crawl", "--data", data, "--fast", "-q", "--registry", tmp / "portals.yml")
        changes = next_year(sim.portal("yunxi"))
        run_xxgk("crawl", "--data", data, "--fast", "-q", "--verify", "--registry", tmp / "portals.yml")
        with datasette(data) as base:
            yield data, base, changes, sim.portal("yunxi").name


def feed_entries(page, url):
    response = page.goto(url)
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.body())
    return root, [{"title": e.find(f"{ATOM}title").text, "link": e.find(f"{ATOM}link").get("href"),
                   "updated": e.find(f"{ATOM}updated").text} for e in root.findall(f"{ATOM}entry")]


def test_feeds_carry_reports_added_by_a_recrawl(page, recrawled):
    data, base, changes, _ = recrawled
    db = db_of(data)
    new = {one(db, "select id from reports where organ = ? and year = ?", [r.organ.name, r.year])[0]: r
           for r in changes.new}
    root, entries = feed_entries(page, base + "/feeds/reports.atom")
    by_id = {e["link"].rsplit("/", 1)[1]: e for e in entries}
    assert set(new) <= set(by_id)
    for rid in new:
        title, fetched = one(db, "select r.title, v.fetched_at from reports r join versions v on v.report_id = r.id"
                                 " and v.version = 1 where r.id = ?", [rid])
        assert by_id[rid]["title"] == title
        assert by_id[rid]["updated"] == fetched
    # Newest first: the second crawl's reports lead, the corrected version among them.
    added = {e["link"].rsplit("/", 1)[1] for e in entries[:len(new) + 1]}
    corrected = one(db, "select id from reports where organ = ? and year = ?",
                    [changes.corrected.organ.name, changes.corrected.year])[0]
    assert added == set(new) | {corrected}
    assert next(e for e in entries if e["link"].endswith(corrected))["title"].endswith("（更正版）")
    # Per region and per search word.
    county = one(db, "select county from reports where id = ?", [next(iter(new))])[0]
    regional_root, regional = feed_entries(page, base + "/feeds/reports.atom?county=" + quote(county))
    assert set(new) <= {e["link"].rsplit("/", 1)[1] for e in regional}
    assert regional_root.find(f"{ATOM}title").text.endswith(county)
    organ = changes.new[0].organ.name
    _, searched = feed_entries(page, base + "/feeds/reports.atom?q=" + quote(organ))
    want = {rid for (rid,) in db.execute(
        "select id from reports where rowid in (select rowid from search_index where search_index match ?)",
        [__import__("archive.search", fromlist=["fts_query"]).fts_query(organ)])}
    assert {e["link"].rsplit("/", 1)[1] for e in searched} == want
    assert one(db, "select id from reports where organ = ? and year = ?", [organ, changes.new[0].year])[0] in want
    _, empty = feed_entries(page, base + "/feeds/reports.atom?q=" + quote("没有这个词语"))
    assert empty == []


def test_compare_the_counties_of_a_city(page, recrawled):
    data, base, _, _ = recrawled
    db = db_of(data)
    city, county = one(db, "select city, county from reports where organ = '云溪县人民政府' limit 1")
    assert (city, county) == ("福州市", "云溪县")
    page.goto(base + "/compare?city=" + quote(city))
    row = page.locator("tr[data-unit='云溪县'][data-year='2024']")
    organs, reports, new, litigation = one(db, (
        "select count(distinct r.organ_id), count(*), sum(a.new_received__total),"
        " sum(v.litigation_direct__total) + sum(v.litigation_after_review__total) from reports r"
        " join applications_wide a on a.report_id = r.id join reviews_wide v on v.report_id = r.id"
        " where r.city = ? and r.county = ? and r.year = 2024"), [city, county])
    assert [int(t) for t in row.locator("td").nth(2).inner_text().split()[:1]] == [organs]
    assert int(row.locator("td").nth(3).inner_text().split("（")[0]) == reports
    assert number(row.locator("td[data-metric=new_received] .xxgk-value").inner_text()) == new
    assert number(row.locator("td[data-metric=litigation] .xxgk-value").inner_text()) == litigation
    units = set(page.locator("table.xxgk-compare-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.unit)"))
    assert units == {c for (c,) in db.execute(
        "select distinct county from region_totals where level = 'county' and city = ?", [city])}


def test_coverage_matrix(page, recrawled):
    data, base, changes, portal = recrawled
    db = db_of(data)
    page.goto(base + "/coverage")
    blocked = page.locator("section.xxgk-portal[data-portal='石门县人民政府']")
    reason = one(db, "select reason from portal_status where portal = '石门县人民政府'")[0]
    assert blocked.locator(".xxgk-portal-status").inner_text() == "被拦截"
    assert reason in blocked.inner_text()
    section = page.locator(f"section.xxgk-portal[data-portal='{portal}']")
    new = changes.new[0]
    cell = section.locator(f"tr[data-organ='{new.organ.name}'] td[data-year='{new.year}']")
    assert cell.inner_text() == "已收录"
    assert cell.get_attribute("data-added") == one(
        db, "select min(v.fetched_at) from versions v join reports r on r.id = v.report_id"
            " where r.organ = ? and r.year = ?", [new.organ.name, new.year])[0]
    gone = section.locator(f"tr[data-organ='{changes.removed.organ.name}'] td[data-year='{changes.removed.year}']")
    assert gone.inner_text() == "已下线"
    fixed = section.locator(f"tr[data-organ='{changes.corrected.organ.name}'] td[data-year='{changes.corrected.year}']")
    assert fixed.get_attribute("data-changed") == one(
        db, "select v.fetched_at from versions v join reports r on r.id = v.report_id"
            " where r.organ = ? and r.year = ? and v.version = 2", [changes.corrected.organ.name, changes.corrected.year])[0]
    # Every organ-year from an organ's first report to the last year archived: archived or missing.
    last = one(db, "select max(year) from reports")[0]
    missing = 0
    for organ, first, n in db.execute("select organ_id, min(year), count(*) from reports r where r.id in"
                                      " (select report_id from sources where portal = ?) group by organ_id", [portal]):
        missing += (last - first + 1) - n
    assert section.locator("td.cov-missing").count() == missing


def test_coverage_marks_a_missing_year(page, web_site, web_archive):
    db = db_of(web_archive)
    last = one(db, "select max(year) from reports")[0]
    page.goto(web_site + "/coverage")
    row = page.locator("tr[data-organ='云溪县测试镇']")
    assert [c for c in row.locator("td.cov").evaluate_all("cs => cs.map(c => c.className + ' ' + c.dataset.year)")
            if "none" not in c] == ["cov cov-archived 2024", f"cov cov-missing {last}"]
    missing = sum(last - first + 1 - n for first, n in db.execute(
        "select min(year), count(*) from reports where year is not null group by organ_id"))
    assert missing >= 1 and page.locator("td.cov-missing").count() == missing


def test_cited_cell_opens_highlighted_with_provenance(page, recrawled):
    data, base, changes, _ = recrawled
    db = db_of(data)
    rid = one(db, "select id from reports where organ = ? and year = ?",
              [changes.corrected.organ.name, changes.corrected.year])[0]
    page.goto(f"{base}/report/{rid}")
    page.locator("table.xxgk-applications tr", has_text="一、本年新收政府信息公开申请数量").locator("td a.xxgk-cite").last.click()
    page.wait_for_url("**?cell=applications.new_received.total*")
    permalink = page.url
    raw, source_url, fetched, snapshot, version = one(
        db, "select c.raw, c.source_url, c.fetched_at, c.snapshot, v.version from cells c join versions v"
            " on v.id = c.version_id where c.report_id = ? and c.table_name = 'applications'"
            " and c.row_key = 'new_received' and c.col_key = 'total'", [rid])
    page.goto(permalink)  # a fresh visit of the link
    cited = page.locator("td.xxgk-cited")
    assert cited.count() == 1 and cited.inner_text() == raw
    assert cited.get_attribute("id") == "applications.new_received.total"
    box = page.locator("#xxgk-cited")
    assert box.locator(".xxgk-cited-url").get_attribute("href") == source_url
    assert box.locator(".xxgk-cited-fetched").inner_text() == fetched
    assert box.locator(".xxgk-cited-snapshot").get_attribute("href") == snapshot
    assert f"第 {version} 版" in box.inner_text() and version == 2
    # The snapshot it names is the archived copy that printed the number.
    page.goto(base + snapshot)
    assert raw in page.content()


# The plugin as a Datasette entry point -------------------------------------------------------
def test_plain_datasette_loads_the_plugin_from_the_entry_point(web_archive, tmp_path):
    """`datasette data/xxgk.db -m metadata.yml` finds the plugin through the package's
    entry point. The shared environment may hold an install older than the entry point, so the
    test installs the package's distribution metadata (pyproject.toml's entry points) on
    PYTHONPATH, as `pip install` writes it."""
    import tomllib

    from archive.publish import METADATA

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    points = project["entry-points"]["datasette"]
    assert points == {"xxgk": "archive.web"}
    from archive.publish import plugin_installed

    if not plugin_installed():  # an install older than the entry point: give it its metadata
        info = tmp_path / "site" / "xxgk_archive_web-0.0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: xxgk-archive-web\nVersion: 0.0\n")
        (info / "entry_points.txt").write_text("[datasette]\n" + "".join(f"{k} = {v}\n" for k, v in points.items()))
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path / "site")])}
    proc = subprocess.Popen([sys.executable, "-m", "datasette", str(web_archive / DB_NAME), "-m", str(METADATA),
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(base + "/-/versions.json")
        import httpx

        plugins = httpx.get(base + "/-/plugins.json").json()
        assert [p for p in plugins if p["name"] in ("archive.web", "xxgk-archive-web", "xxgk-archive")][0]["templates"] is True
        found = httpx.get(base + "/xxgk/reports.json", params={"_search": "慈周寨", "_shape": "array",
                                                              "_size": "max"}).json()
        assert len(found) == 7 == like_count(web_archive, "慈周寨")
        html = httpx.get(base + "/xxgk/reports", params={"_search": "慈周寨"}).text
        assert 'class="xxgk-search"' in html and "tr class=\"xxgk-result\"" in html
        assert httpx.get(base + "/compare", params={"county": "云溪县"}).status_code == 200
        assert httpx.get(base + "/xxgk-static/xxgk.css").status_code == 200
    finally:
        proc.terminate()
        proc.wait(10)
