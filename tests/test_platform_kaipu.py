"""The Kaipu CMSPRO portal of the simulator (cmspro_documents, 下一页 links, articles reset on first
request), crawled over HTTP and compared with the ground truth."""

from .universe import check_cells, check_no_news


def test_exact_counts(universe, simulator):
    assert check_cells(universe[0], simulator.portal("jianyang")) == 2792


def test_news_never_archived(universe, simulator):
    check_no_news(universe[0], simulator.portal("jianyang"))


def test_next_page_links_followed(universe, simulator):
    lists = sorted({p for k, _, p in universe[2] if k == "jianyang" and "/index" in p})
    assert lists == ["/xxgknb/index.shtml", "/xxgknb/index_2.shtml", "/xxgknb/index_3.shtml", "/xxgknb/index_4.shtml"]


def test_articles_reset_once_then_fetched_on_retry(universe, simulator):
    from collections import Counter

    from crawler.simulator.server import item_path

    jianyang = simulator.portal("jianyang")
    asked = Counter(p for k, _, p in universe[2] if k == "jianyang" and "/content_" in p)
    # Every report article was reset once and asked again: by the crawler's retry, or first by
    # Twisted's own single retry when the reset came on a reused keep-alive connection.
    assert set(asked) == {item_path(jianyang, c, r) for c, r in jianyang.listed()}
    assert len(asked) == 25 and min(asked.values()) >= 2
