"""A researcher's path through the archive in real headless Chromium (Debian's, driven by
Playwright): search, facet by province and year, open a report, download a CSV."""
import csv
import io
import shutil

import pytest
import sqlite_utils

from archive.store import DB_NAME

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        context = browser.new_context(accept_downloads=True, locale="zh-CN")
        page = context.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.dialogs = dialogs
        yield page
        browser.close()


def db(web_archive):
    return sqlite_utils.Database(web_archive / DB_NAME)


def like_count(web_archive, word, where="1"):
    return db(web_archive).execute(
        "select count(*) from reports r join report_texts t on t.report_id = r.id"
        f" where (r.title like ?1 or r.organ like ?1 or t.text like ?1) and {where}",
        [f"%{word}%"]).fetchone()[0]


def rows_heading(page) -> str:
    return page.locator("h3").filter(has_text="row").first.inner_text()


def test_search_two_characters_from_home(page, web_site, web_archive):
    page.goto(web_site + "/")
    page.fill("#xxgk-q", "复议")
    page.click("form.xxgk-search button")
    page.wait_for_url("**/xxgk/reports?*")
    assert rows_heading(page).startswith(f"{like_count(web_archive, '复议')} rows")
    assert page.locator(".col-text mark").first.inner_text() == "复议"


def test_search_place_then_facets_then_report(page, web_site, web_archive):
    page.goto(web_site + "/xxgk/reports")
    page.fill("#xxgk-q", "慈周寨")
    page.click("form.xxgk-search button")
    page.wait_for_url("**_search=*")
    assert rows_heading(page).startswith("7 rows")
    page.locator(".facet-info[data-column=province] a", has_text="福建省").click()
    page.wait_for_url("**province=*")
    page.locator(".facet-info[data-column=year] a", has_text="2024").click()
    page.wait_for_url("**year=2024*")
    assert rows_heading(page).startswith("1 row")
    expected_title = db(web_archive).execute(
        "select title from reports where organ = '云溪县慈周寨镇' and year = 2024").fetchone()[0]
    link = page.locator("td.col-title a").first
    assert link.inner_text() == expected_title
    link.click()
    page.wait_for_url("**/report/*")
    assert page.locator("h1").inner_text() == expected_title
    assert page.locator("table.xxgk-stats").count() == 3
    rid = page.url.rsplit("/", 1)[1]
    (new_total,) = db(web_archive).execute(
        "select value from cells where report_id = ? and table_name = 'applications' and row_key = 'new_received'"
        " and col_key = 'total'", [rid]).fetchone()
    row = page.locator("table.xxgk-applications tr", has_text="一、本年新收政府信息公开申请数量")
    assert row.locator("td").last.inner_text() == str(new_total)


def test_download_csv_of_a_filtered_view(page, web_site, web_archive, tmp_path):
    page.goto(web_site + "/xxgk/reports?province=%E7%A6%8F%E5%BB%BA%E7%9C%81&year=2023")
    page.check("#export input[name=_dl]")
    with page.expect_download() as info:
        page.click("#export input[type=submit]")
    path = tmp_path / "reports.csv"
    info.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    want = db(web_archive).execute(
        "select id, title, new_received from (select r.id, r.title, w.new_received__total as new_received"
        " from reports r left join applications_wide w on w.report_id = r.id"
        " where r.province = '福建省' and r.year = 2023)").fetchall()
    assert sorted((r["id"], r["title"]) for r in rows) == sorted((i, t) for i, t, _ in want)
    assert len(rows) == len(want) == 9


def test_no_script_from_archived_text_runs(page, web_site, web_archive):
    rid = db(web_archive).execute("select report_id from sources where url = 'http://sim.test/hostile.html'").fetchone()[0]
    page.goto(f"{web_site}/report/{rid}")
    page.get_by_text("展开全文").click()
    assert 'alert("xss")' in page.locator(".xxgk-text").inner_text()
    page.goto(f"{web_site}/xxgk/reports?_search=xss")
    assert page.dialogs == []
