"""Hanweb jcms (inline datastore, POST dataproxy.jsp) and JPaaS (JSON page units) portals of the
simulator, crawled over HTTP on 127.0.0.1 and compared with the ground truth."""

from .universe import check_cells, check_no_news, db


def test_exact_counts(universe, simulator):
    danxi = simulator.portal("danxi")
    assert (len(danxi.reports()), len(danxi.expected_reports())) == (53, 46)
    assert check_cells(universe[0], danxi) == 6980
    assert check_cells(universe[0], simulator.portal("qinghu")) == 2396


def test_news_never_archived(universe, simulator):
    for key in ("danxi", "qinghu"):
        check_no_news(universe[0], simulator.portal(key))


def test_column_forbidden_by_robots_is_not_archived(universe, simulator):
    names = {o for (o,) in db(universe[0]).execute("select organ from reports")}
    assert "丹溪县白沙乡" not in names
    assert {"丹溪县下各镇", "丹溪县横山镇", "丹溪县发展和改革局"} <= names


def test_later_records_come_from_dataproxy_posts_and_jpaas_units(universe, simulator):
    posts = sorted({p for k, m, p in universe[2] if k == "danxi" and m == "POST"})
    assert posts == ["/module/web/jpage/dataproxy.jsp?startrecord=16&endrecord=40&perpage=15"]
    units = sorted({p.split("pageNo=")[1].split("&")[0] for k, m, p in universe[2]
                   if k == "qinghu" and "front/page/build/unit" in p})
    assert units == ["2", "3", "4", "5"]


def test_pre_2019_reports_have_no_cells(universe):
    rows = db(universe[0]).execute(
        "select year, template, cell_count from reports where organ = '丹溪县人民政府' and year < 2019 order by year").fetchall()
    assert rows == [(year, None, 0) for year in range(2008, 2019)]


def test_reports_posted_as_attachments_are_archived_from_the_pdf(universe, simulator):
    base = simulator.base("danxi")
    rows = db(universe[0]).execute(
        "select sources.url, reports.source_format, reports.template from sources"
        " join reports on reports.id = sources.report_id where reports.organ = '丹溪县自然资源和规划局'").fetchall()
    assert len(rows) == 7
    assert all(u.startswith(base + "/attach/0/") and u.endswith(".pdf") and f == "pdf" for u, f, _ in rows)
    assert sorted(t for _, _, t in rows) == ["2019", "2019", "2021", "2021", "2021", "2021", "2021"]
    downloads = {p for k, _, p in universe[2] if k == "danxi" and p.startswith("/module/download/downfile.jsp")}
    assert len(downloads) == 7
