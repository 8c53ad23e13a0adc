"""The gkmlpt portal of the simulator (JSON list API, article HTML inside _CONFIG, page ≥ 2 answering
404), crawled over HTTP and compared with the ground truth."""

from .universe import check_cells, check_no_news, db, status_of


def test_exact_counts(universe, simulator):
    assert check_cells(universe[0], simulator.portal("nangang")) == 4188


def test_news_never_archived(universe, simulator):
    check_no_news(universe[0], simulator.portal("nangang"))


def test_page_two_404_quirk_is_noted_and_worked_around(universe, simulator):
    assert status_of(universe[0], simulator.portal("nangang")) == (
        "ok", "list pages ≥ 2 answer 404 (gkmlpt quirk): reports read category by category")
    pages = sorted({p for k, _, p in universe[2] if k == "nangang" and "/gkmlpt/api/" in p})
    assert [p.split("?")[0] + "?" + p.split("?")[1].split("&")[0] for p in pages] == [
        "/gkmlpt/api/all/2629?page=1", "/gkmlpt/api/all/2629?page=2", "/gkmlpt/api/all/2630?page=1",
        "/gkmlpt/api/all/2631?page=1", "/gkmlpt/api/all/3101?page=1"]


def test_article_html_taken_from_config_detail(universe):
    (text,), = db(universe[0]).execute(
        "select text from report_texts join reports on reports.id = report_texts.report_id"
        " where organ = '南岗区石滩镇' and year = 2024")
    assert "一、总体情况" in text and "\\u003C" not in text
