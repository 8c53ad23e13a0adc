"""Chinese full-text search: words of any length, the same reports as a LIKE scan."""
from pathlib import Path

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


# A broad search is narrowed to its most recently archived matches, and says so -------------
LIMIT = 8


@pytest.fixture(scope="module")
def capped_site(web_archive):
    """The same archive served as `xxgk serve` serves it, with the exact-search limit lowered
    from 2,000 to 8 (metadata.yml: plugins: xxgk-search: exact_up_to)."""
    import json

    from archive.publish import datasette_command
    from tests.conftest import free_port, serving

    port = free_port()
    cmd = datasette_command(web_archive, port=port)
    meta_path = Path(cmd[cmd.index("--metadata") + 1])
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["plugins"]["xxgk-search"] = {"exact_up_to": LIMIT}
    capped = meta_path.with_name("metadata-capped.json")
    capped.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    cmd[cmd.index("--metadata") + 1] = str(capped)
    with serving(cmd, port) as base:
        yield base


def like_rowids(db, word, where="1", params=()):
    return [r for (r,) in db.execute(
        "select r.rowid from reports r join report_texts t on t.report_id = r.id"
        f" where (r.title like ?1 or r.organ like ?1 or t.text like ?1) and {where} order by r.rowid desc",
        [f"%{word}%", *params])]


def test_broad_search_lists_counts_and_facets_the_newest_matches(capped_site, web_archive):
    db = sqlite_utils.Database(web_archive / DB_NAME)
    everyone = like_rowids(db, "复议")
    assert len(everyone) > LIMIT
    newest = everyone[:LIMIT]
    data = httpx.get(f"{capped_site}/xxgk/reports.json",
                     params={"_search": "复议", "_size": "max", "_facet": "year", "_shape": "objects"}).json()
    assert data["filtered_table_rows_count"] == LIMIT
    assert "超过 8 份" in data["human_description_en"] and "最近收录的 8 份" in data["human_description_en"]
    expected_ids = {r for (r,) in db.execute(
        f"select id from reports where rowid in ({','.join(map(str, newest))})")}
    assert {r["id"] for r in data["rows"]} == expected_ids
    by_year = dict(db.execute(
        f"select year, count(*) from reports where rowid in ({','.join(map(str, newest))}) group by year").fetchall())
    assert {f["value"]: f["count"] for f in data["facet_results"]["year"]["results"]} == by_year
    html = httpx.get(f"{capped_site}/xxgk/reports", params={"_search": "复议"}).text
    assert "符合条件的报告超过 <strong>8</strong> 份，以下只列出最近收录的 8 份" in html


def test_filters_apply_before_the_cap(capped_site, web_archive):
    """复议 in 2024 (11 reports): the newest 8 of that year's matches, not 2024's share of the
    newest 8 of all years."""
    db = sqlite_utils.Database(web_archive / DB_NAME)
    matches = like_rowids(db, "复议", "r.year = ?2", [2024])
    assert len(matches) == 11
    overall = set(like_rowids(db, "复议")[:LIMIT])
    assert set(matches[:LIMIT]) != overall & set(matches)  # the two readings differ here
    data = httpx.get(f"{capped_site}/xxgk/reports.json",
                     params={"_search": "复议", "year": "2024", "_size": "max", "_shape": "objects"}).json()
    assert data["filtered_table_rows_count"] == LIMIT
    newest = {r for (r,) in db.execute(
        f"select id from reports where rowid in ({','.join(map(str, matches[:LIMIT]))})")}
    assert {r["id"] for r in data["rows"]} == newest


def test_narrow_search_is_exact_under_the_cap(capped_site, web_archive):
    db = sqlite_utils.Database(web_archive / DB_NAME)
    data = httpx.get(f"{capped_site}/xxgk/reports.json", params={"_search": "梅林镇", "_size": "max"}).json()
    assert data["filtered_table_rows_count"] == len(like_rowids(db, "梅林镇")) == 7
    assert data["human_description_en"].startswith("where 全文包含“梅林镇”")
    assert "超过" not in data["human_description_en"]
