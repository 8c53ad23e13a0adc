"""Long-tail portals of the simulator (ASPX query-string paging; a 年报汇总 page of PDFs), crawled over
HTTP and compared with the ground truth."""

from .universe import check_cells, check_no_news, db


def test_exact_counts(universe, simulator):
    assert check_cells(universe[0], simulator.portal("hedong")) == 2792
    assert check_cells(universe[0], simulator.portal("wuxi")) == 3588


def test_news_never_archived(universe, simulator):
    check_no_news(universe[0], simulator.portal("hedong"))


def test_aspx_query_string_pages_followed(universe, simulator):
    pages = sorted({p for k, _, p in universe[2] if k == "hedong" and p.startswith("/InfoPublic.aspx")})
    assert pages == [f"/InfoPublic.aspx?cid=1019&pid=971&page={n}" for n in (1, 2, 3, 4)]


def test_pdf_reports_parsed_from_the_pdf(universe):
    rows = db(universe[0]).execute(
        "select source_format, template, count(*) from reports where organ like '梧溪县%'"
        " group by source_format, template order by template").fetchall()
    assert rows == [("pdf", None, 17), ("pdf", "2019", 6), ("pdf", "2021", 12)]
