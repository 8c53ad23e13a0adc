"""Discovery: from a portal's home page alone, recognise its platform and find its 年报 columns
by their link text (政府信息公开年报, 年度报告, 年报汇总 …), following at most one hub link
(政府信息公开) when the home page has no 年报 link of its own."""
from __future__ import annotations

import re
from urllib.parse import urlparse

import scrapy

from archive.report import is_report_title

PLATFORMS = ("hanweb", "trs", "lonsun", "gkmlpt", "kaipu", "longtail")

# Fingerprints in a page's HTML, most specific first.
_MARKERS = [
    ("trs", re.compile(r"quickMode\s*:\s*[\"']动静结合|list2\.trsapi")),
    ("gkmlpt", re.compile(r"window\._CONFIG\s*=|/gkmlpt/")),
    ("hanweb", re.compile(r"<datastore>|\.jpage\(|/module/web/jpage/|jpaas-publish-server|queryData=|/col/col\d+/|ZJEG_RSS")),
    ("lonsun", re.compile(r"publicInfoList|/public/column/\d+|/site/label/8888|j-fontContent")),
    ("kaipu", re.compile(r"<cmspro_documents>|页面生成时间|/content_[0-9a-f]{8,}\.shtml")),
    ("trs", re.compile(r"createPage(?:HTML)?\(|TRS_Editor|pagecount\.js|/t\d{8}_\d+(?:_wap)?\.s?html?")),
]
# Which fingerprints make a page a 年报 list (not just a page of that platform).
_COLUMN = {
    "trs-dynamic": re.compile(r"quickMode\s*:\s*[\"']动静结合"),
    "gkmlpt": re.compile(r"window\._CONFIG\s*=\s*\{[^;]*TREE\s*:"),
    "hanweb": re.compile(r"<datastore>|queryData=\"\{"),
    "lonsun": re.compile(r"labelName\s*:\s*'publicInfoList'|pageCount\s*:\s*\d+"),
    "kaipu": re.compile(r"<cmspro_documents>"),
    "trs": re.compile(r"createPage(?:HTML)?\(\s*\d+"),
}
COLUMN_TEXT = re.compile(r"^(?:\S{0,20}?)(?:政府信息公开|政务公开|信息公开)?(?:工作)?(?:年报|年度报告)(?:汇总|专栏)?$")
HUB_TEXT = re.compile(r"^(?:政府信息公开|信息公开|政务公开)(?:平台|目录|专栏)?$")


def _text(response) -> str:
    try:
        return response.text
    except AttributeError:
        return ""


def recognise_platform(response) -> str:
    text = _text(response)[:200_000]
    for name, marker in _MARKERS:
        if marker.search(text):
            return name
    return "longtail"


def report_links(response) -> list:
    return [a for a in response.css("a[href]") if is_report_title(anchor_text(a))]


def recognise_column(response) -> str | None:
    """The platform whose 年报 list this page is, or None for any other page."""
    text = _text(response)[:500_000]
    if not text:
        return None
    for name, marker in _COLUMN.items():
        if marker.search(text):
            return name.split("-")[0]
    if report_links(response):
        return "longtail"
    return None


def anchor_text(a) -> str:
    return " ".join((a.attrib.get("title") or " ".join(a.css("::text").getall())).split())


def is_home(url: str) -> bool:
    return urlparse(url).path in ("", "/", "/index.html", "/index.htm", "/index.shtml", "/Default.aspx")


def find_columns(response) -> list[tuple[str, str]]:
    """Links to 年报 columns on this page, else to 政府信息公开 hubs that may hold them."""
    host = urlparse(response.url).netloc
    columns, hubs = {}, {}
    for a in response.css("a[href]"):
        href = a.attrib["href"].strip()
        if href.startswith(("javascript:", "#", "mailto:")):
            continue
        url = response.urljoin(href)
        if urlparse(url).netloc != host or url == response.url:
            continue
        text = " ".join(" ".join(a.css("::text").getall()).split()) or a.attrib.get("title", "")
        if COLUMN_TEXT.match(text) and not is_report_title(text) and not re.search(r"(19|20)\d{2}", text):
            columns.setdefault(url, text)
        elif HUB_TEXT.match(text):
            hubs.setdefault(url, text)
    return list((columns or hubs).items())


class DiscoverySpider(scrapy.Spider):
    """For each start URL (a home page or a column): the platform and the 年报 column URLs."""

    name = "discovery"
    close_on_block = False  # one spider serves many portals: a blocked one must not stop the others

    def __init__(self, start_urls=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .base import Outcome

        self.start_urls = list(start_urls or [])
        self.found: dict[str, dict] = {u: {"platform": None, "columns": []} for u in self.start_urls}
        self.outcome = Outcome()  # the middlewares record blocking here
        self.errors: dict[str, str] = {}

    async def start(self):
        for url in self.start_urls:
            yield scrapy.Request(url, self.parse, errback=self.failed, cb_kwargs={"origin": url, "depth": 0},
                                 dont_filter=True)  # a cookie WAF's 302 to the same URL is no duplicate

    def parse(self, response, origin, depth):
        entry = self.found[origin]
        column = recognise_column(response)
        if column:
            entry["platform"] = entry["platform"] or column
            if response.url not in entry["columns"]:
                entry["columns"].append(response.url)
            return
        if depth == 0:
            entry["platform"] = recognise_platform(response)
        if depth >= 2:
            return
        for url, _ in find_columns(response):
            yield scrapy.Request(url, self.parse, errback=self.failed, cb_kwargs={"origin": origin, "depth": depth + 1})

    def failed(self, failure):
        from .base import describe

        origin = failure.request.cb_kwargs.get("origin", failure.request.url)
        self.errors.setdefault(origin, f"{failure.request.url}: {describe(failure)}")
