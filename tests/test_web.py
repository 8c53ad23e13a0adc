"""The archive in Datasette over HTTP: report pages, archived copies, hostile text, downloads."""
import csv
import io

import httpx
import sqlite_utils

from archive.store import DB_NAME


def report_id(web_archive, url):
    db = sqlite_utils.Database(web_archive / DB_NAME)
    return db.execute("select report_id from sources where url = ?", [url]).fetchone()[0]


def test_script_in_report_text_is_shown_as_text(web_site, web_archive):
    rid = report_id(web_archive, "http://sim.test/hostile.html")
    html = httpx.get(f"{web_site}/report/{rid}").text
    assert '&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;' in html
    assert "<script>alert" not in html
    assert "onerror=alert" not in html.replace("&lt;img src=x onerror=alert(2)&gt;", "")


def test_script_in_search_snippet_is_escaped(web_site):
    html = httpx.get(f"{web_site}/xxgk/reports", params={"_search": "xss"}).text
    assert "&lt;script&gt;" in html
    assert "<script>alert" not in html


def test_report_page_shows_three_tables(web_site, web_archive):
    from crawler.simulator.world import build_world

    world = build_world(2024)
    r = next(r for r in world.reports if r.organ.name == "云溪县梅林镇" and r.year == 2023)
    rid = report_id(web_archive, 'http://sim.test' + world.url_of(r))
    html = httpx.get(f"{web_site}/report/{rid}").text
    assert html.count('<table class="xxgk-stats') == 3
    assert "收到和处理政府信息公开申请情况" in html
    total = r.values["applications"]["total_processed"]["total"]
    assert (f'id="applications.total_processed.total" class="" title="原文：{total}"><a class="xxgk-cite"'
            f' href="/report/{rid}?cell=applications.total_processed.total#xxgk-cited" rel="bookmark">{total}</a></td>') in html


def test_archived_copy_is_sandboxed(web_site, web_archive):
    rid = report_id(web_archive, "http://sim.test/hostile.html")
    r = httpx.get(f"{web_site}/report/{rid}/snapshot")
    assert r.status_code == 404  # stored without a snapshot: said so, not invented


def test_wide_table_csv_has_one_row_per_report(web_site, web_archive):
    db = sqlite_utils.Database(web_archive / DB_NAME)
    r = httpx.get(f"{web_site}/xxgk/applications_wide.csv", params={"_size": "max", "_stream": "1"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == db["applications_wide"].count
    want = {rid: v for rid, v in db.execute("select report_id, new_received__total from applications_wide")}
    assert {x["report_id"]: int(x["new_received__total"]) for x in rows if x["new_received__total"]} == {
        k: v for k, v in want.items() if v is not None}


def test_facets_by_province(web_site):
    data = httpx.get(f"{web_site}/xxgk/reports.json", params={"_facet": "province"}).json()
    facets = {f["value"]: f["count"] for f in data["facet_results"]["province"]["results"]}
    assert facets["福建省"] >= 64


def test_dashboard_page_answers(web_site):
    r = httpx.get(f"{web_site}/-/dashboards/overview")
    assert r.status_code == 200
    assert "政府信息公开年度报告统计图表" in r.text


def test_canned_outcomes_by_year(web_site, web_archive):
    db = sqlite_utils.Database(web_archive / DB_NAME)
    rows = httpx.get(f"{web_site}/xxgk/outcomes_by_year.json", params={"_shape": "array"}).json()
    want = dict(db.execute("select year, total(granted__total) from applications_wide where year is not null group by year"))
    assert {r["年度"]: r["予以公开"] for r in rows} == want
