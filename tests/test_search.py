"""Chinese full-text search: words of any length, the same reports as a LIKE scan."""
import httpx
import pytest
import sqlite_utils

from archive.search import bigrams, fts_query, snippet
from archive.store import DB_NAME


def test_bigrams_of_a_chinese_run():
    assert bigrams("行政复议") == "行政 政复 复议"


def test_bigrams_keep_words_and_break_at_punctuation():
    assert bigrams("2024年，复议7件") == "2024 年 复议 7 件"


def test_query_is_the_phrase_of_its_pairs():
    assert fts_query("不予公开") == '"不予 予公 公开"'


def test_two_terms_must_both_occur():
    assert fts_query("复议 诉讼") == '"复议" AND "诉讼"'


def test_one_character_is_a_prefix_query():
    assert fts_query("镇") == "镇*"


def test_query_of_punctuation_only_is_nothing():
    assert fts_query("，。") is None


def test_snippet_escapes_and_marks():
    assert str(snippet("前文<b>复议</b>后文", "复议", width=30)) == "前文&lt;b&gt;<mark>复议</mark>&lt;/b&gt;后文"


def like_ids(db, word):
    return {r for (r,) in db.execute(
        "select r.id from reports r join report_texts t on t.report_id = r.id"
        " where r.title like ?1 or r.organ like ?1 or t.text like ?1", [f"%{word}%"])}


def search_ids(site, word):
    rows = httpx.get(f"{site}/xxgk/reports.json",
                     params={"_search": word, "_shape": "array", "_col": "id", "_size": "max"}).json()
    return {r["id"] for r in rows}


@pytest.mark.parametrize("word", [
    "复议", "诉讼", "收费",  # 2 characters
    "慈周寨", "梅林镇", "信息处理",  # 3 and more: place names, phrases
    "不予公开", "石桥乡", "政务公开", "统计期限",
])
def test_search_equals_like_scan(web_site, web_archive, word):
    db = sqlite_utils.Database(web_archive / DB_NAME)
    expected = like_ids(db, word)
    assert search_ids(web_site, word) == expected


def test_search_finds_the_known_reports(web_site, web_archive):
    """Counts known from the simulator: every report restates its 行政复议 figure and its
    statement period; a town's name is in its seven reports (2019–2025)."""
    db = sqlite_utils.Database(web_archive / DB_NAME)
    simulated = {r for (r,) in db.execute("select report_id from sources where url like 'http://sim.test/%'")}
    counts = {w: len(search_ids(web_site, w) & simulated) for w in ("复议", "慈周寨", "梅林镇", "统计期限")}
    assert counts == {"复议": 64, "慈周寨": 7, "梅林镇": 7, "统计期限": 63}


def test_search_combines_with_facets(web_site):
    rows = httpx.get(f"{web_site}/xxgk/reports.json",
                     params={"_search": "梅林镇", "year": "2024", "_shape": "array", "_col": "title"}).json()
    assert [r["title"] for r in rows] == ["云溪县梅林镇2024年度政府信息公开工作年度报告"]


def test_search_page_highlights_matches(web_site):
    html = httpx.get(f"{web_site}/xxgk/reports", params={"_search": "慈周寨"}).text
    assert html.count("<mark>慈周寨</mark>") >= 7
