"""The TRS spider against pages of the simulator, without the network: one assertion per field."""
import pytest
from scrapy.http import HtmlResponse, Request

from crawler.simulator import trs
from crawler.simulator.world import SimReport, build_world
from crawler.spiders.trs import TrsSpider

BASE = "http://portal.test"


@pytest.fixture(scope="module")
def world():
    return build_world(2024)


def response(url, html):
    return HtmlResponse(url=url, body=html.encode("utf-8"), encoding="utf-8", request=Request(url))


def test_spider_needs_start_urls():
    with pytest.raises(ValueError, match="start_urls is required"):
        TrsSpider()


def test_first_list_page(world):
    county = world.columns[0]
    spider = TrsSpider(start_urls=[BASE + county.path])
    out = list(spider.parse_column(response(BASE + county.path + "index.html", trs.column_page(world, county, 0)),
                                   column=BASE + county.path))
    articles = [r for r in out if r.callback == spider.parse_article]
    pages = [r.url for r in out if r.callback == spider.parse_column and "index_" in r.url]
    subsites = [r.url for r in out if r.callback == spider.parse_column and "/xzjd/" in r.url]
    reports_on_page = [i for i in county.items[:15] if isinstance(i, SimReport)]
    assert len(articles) == len(reports_on_page)
    assert [a.cb_kwargs["title"] for a in articles] == [i.title for i in reports_on_page]
    assert pages == [BASE + county.path + "index_1.html", BASE + county.path + "index_2.html"]
    # A town's column is asked for as its directory: `…/zfxxgknb/` and `…/zfxxgknb/index.html`
    # are one column, read once.
    assert subsites == [f"{BASE}{c.path}" for c in world.columns[1:]]


def test_later_list_page_does_not_repaginate(world):
    county = world.columns[0]
    spider = TrsSpider(start_urls=[BASE + county.path])
    out = list(spider.parse_column(response(BASE + county.path + "index_1.html", trs.column_page(world, county, 1)),
                                   column=BASE + county.path))
    assert [r.url for r in out if "index_" in r.url] == []


@pytest.fixture(scope="module")
def item(world):
    county = world.columns[0]
    report = next(i for i in county.items if isinstance(i, SimReport))
    url = BASE + world.url_of(report)
    spider = TrsSpider(start_urls=[BASE + county.path])
    (it,) = spider.parse_article(response(url, trs.article_page(world, county, report)),
                                 title=report.title, published=None, column=BASE + county.path)
    return it, report, url


def test_item_url(item):
    it, _, url = item
    assert it["url"] == url


def test_item_title(item):
    it, report, _ = item
    assert it["title"] == report.title


def test_item_published_from_meta(item):
    it, report, _ = item
    assert it["published"] == report.pub_date.isoformat()


def test_item_organ(item):
    it, report, _ = item
    assert it["organ"] == report.organ.name


def test_item_year(item):
    it, report, _ = item
    assert it["year"] == report.year


def test_item_site(item):
    it, _, _ = item
    assert it["site"] == "云溪县人民政府"


def test_item_keeps_raw_bytes(item):
    it, _, _ = item
    assert b'class="TRS_Editor"' in it["body"]
