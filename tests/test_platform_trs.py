"""TRS portals of the simulator (the UTF-8 云溪县 and a legacy GBK district with `_wap` twins,
duplicates and pre-2019 reports), crawled over HTTP and compared with the ground truth."""

from .universe import check_cells, check_no_news, db


def test_exact_counts(universe, simulator):
    assert check_cells(universe[0], simulator.portal("yunxi")) == 12564
    assert check_cells(universe[0], simulator.portal("yunling")) == 2188


def test_news_never_archived(universe, simulator):
    for key in ("yunxi", "yunling"):
        check_no_news(universe[0], simulator.portal(key))


def test_gbk_only_characters_survive(universe):
    """The legacy district is served as GBK and declared gb2312; 堃 and 喆 are not in GB2312."""
    names = {o for (o,) in db(universe[0]).execute("select organ from reports where organ like '云岭区%'")}
    assert names == {"云岭区人民政府", "云岭区堃山镇", "云岭区喆溪乡"}


def test_report_listed_in_two_columns_is_one_report_with_two_sources(universe, simulator):
    rows = db(universe[0]).execute(
        "select reports.organ, reports.year, count(*) from sources join reports on reports.id = sources.report_id"
        " where reports.organ like '云岭区%' group by reports.id having count(*) > 1 order by reports.year").fetchall()
    assert rows == [("云岭区堃山镇", 2018, 2), ("云岭区堃山镇", 2019, 2), ("云岭区堃山镇", 2020, 2)]


def test_wap_twins_never_fetched(universe, simulator):
    assert [p for k, _, p in universe[2] if "_wap" in p] == []


def test_pre_2019_reports_archived_without_cells(universe):
    (n, cells), = db(universe[0]).execute(
        "select count(*), sum(cell_count) from reports where organ like '云岭区%' and template is null and year < 2019")
    assert (n, cells) == (33, 0)
