"""The generic list reader: any portal no family module is written for (portal-styles.md F,
portal-evidence.md §3.6). A list page is read for

- report links, by their title (`is_report_title`), on the list's own host, skipping the `_wap`,
  `_app` and `/big5/` twins of an article;
- pager links: 下一页/下页/尾页/末页/首页/上一页 and page numbers;
- page-count scripts, which draw pagers that have no anchors: TRS `createPageHTML(count, current,
  "index", "html")` (index_1 …), Hunan `createPageHTML('page_div', count, current, 'xlist',
  'shtml', records)` (xlist_2 …, no _1), `countPage = N` (index_1 …), `parseInt('N')` (1.html …
  N.html), and a page count beside a `?page=N` or `cur_page=N` URL;
- sub-columns of a 年报 tree (years, kinds of unit, units), followed from the column down;
- a list a script fetches as JSON from a URL it names (`$.getJSON("…/list.json?page=1")`): the
  items are the objects with a title and a URL, the pages follow from its total and page size;

with a bound on the pages read per column (`XXGK_MAX_LIST_PAGES`) and on the sub-columns followed
(`XXGK_MAX_SUB_COLUMNS`). A page-count script may be stale
(Hunan: 1 page claimed, 3 served): a last page as full as the first is followed by one probe of
the next page, until a page comes back short or missing. What each list says about its size
(recordCount, 共N条, a page count) is compared with what was reached: the coverage of the column.
"""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlencode, urlparse, urlsplit, urlunsplit

import scrapy

from . import ucap, ztree
from .base import PortalSpider, iso_date
from ..offsite import is_silent
from .discovery import anchor_text, is_home, report_links

PAGER_TEXT = re.compile(r"^\s*(?:下一页|下页|后页|尾页|末页|最后一页|首页|上一页|上页|前页|>|>>|»|\d{1,3})\s*$")
TWIN = re.compile(r"_(?:wap|app)\.s?html?$|^/big5/")
# Sub-columns of a 年报 tree: a year, a kind of unit, a unit.
SUB_COLUMN = re.compile(r"^\s*(?:(?:19|20)\d{2}\s*年?度?|\S{0,12}(?:镇|乡|街道|街道办事处|办事处|苏木|部门|局|委员会|委|办公室|"
                        r"人民政府|区政府|县政府|市政府|镇街|乡镇（街道）|乡镇\(街道\))(?:年度报告|年报)?)\s*$")
TRS_SCRIPT = re.compile(r"createPage(?:HTML)?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"']")
HUNAN_SCRIPT = re.compile(r"createPageHTML\(\s*['\"][\w-]+['\"]\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*['\"](\w+)['\"]\s*,"
                          r"\s*['\"](\w+)['\"]\s*(?:,\s*(\d+))?")
COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*(\d+)")
PARSE_INT = re.compile(r"parseInt\(\s*['\"](\d+)['\"]\s*\)")
RECORDS = [re.compile(r"recordCount\s*[:=]\s*['\"]?(\d+)"), re.compile(r"共\s*(\d+)\s*条"),
           re.compile(r"\btotal(?:Count|Record)s?\s*[:=]\s*['\"]?(\d+)")]
PAGES = [re.compile(r"pageCount\s*[:=]\s*['\"]?(\d+)"), re.compile(r"共\s*(\d+)\s*页"),
         re.compile(r"第\s*\d+\s*/\s*(\d+)\s*页"), re.compile(r"class=\"p_t\">\s*\d+\s*/\s*(\d+)\s*<")]
# A list a script fetches as JSON from a URL it names (`$.getJSON("…/list.json?page=1")`).
JSON_CALL = re.compile(r"(?:\$\.getJSON|\$\.get|fetch)\(\s*[\"']([^\"']+?\.json(?:\?[^\"']*)?)[\"']")
_TITLE_KEYS = ("title", "doctitle", "name", "subject")
_URL_KEYS = ("url", "link", "href", "docpuburl", "chnldocurl")
_DATE_KEYS = ("publishDate", "pubDate", "publishTime", "docreltime", "date", "publishedTimeStr")
PAGE_PARAMS = ("page", "cur_page", "pageNo", "pageIndex", "pageNum", "currentPage")
MAX_LIST_PAGES = 200
MAX_SUB_DEPTH = 3
MAX_SUB_COLUMNS = 300  # sub-columns followed per portal: a tree's nav links must not become a site crawl


def declared_size(text: str) -> tuple[int | None, int | None]:
    """(records, pages) a list page states about its whole list, each None where it says nothing."""
    records = pages = None
    for rx in RECORDS:
        if (m := rx.search(text)) and int(m.group(1)) > 0:
            records = int(m.group(1))
            break
    if (m := HUNAN_SCRIPT.search(text)) and m.group(5):
        records = records or int(m.group(5))
    for rx in PAGES:
        if (m := rx.search(text)) and int(m.group(1)) > 0:
            pages = int(m.group(1))
            break
    return records, pages


def with_param(url: str, name: str, value: int) -> str:
    parts = urlsplit(url)
    query = [(k, str(value) if k == name else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def scripted_pages(response) -> tuple[list[str], bool]:
    """URLs of the pages a page-count script announces, and whether the script's spelling lets
    the reader probe past its count (a stale total)."""
    text = response.text
    url = response.url
    path = urlparse(url).path
    name = path.rsplit("/", 1)[-1]
    if (m := HUNAN_SCRIPT.search(text)) and int(m.group(2)) == 1:
        count, prefix, ext = int(m.group(1)), m.group(3), m.group(4)
        return [response.urljoin(f"{prefix}_{i}.{ext}") for i in range(2, count + 1)], True
    if (m := TRS_SCRIPT.search(text)) and int(m.group(2)) == 0:
        count, prefix, ext = int(m.group(1)), m.group(3), m.group(4)
        return [response.urljoin(f"{prefix}_{i}.{ext}") for i in range(1, count)], False
    if (m := COUNT_PAGE.search(text)) and re.fullmatch(r"[A-Za-z]+\.s?html?", name or "index.html"):
        stem, ext = (name or "index.html").rsplit(".", 1)
        return [response.urljoin(f"{stem}_{i}.{ext}") for i in range(1, int(m.group(1)))], False
    if (m := PARSE_INT.search(text)) and re.fullmatch(r"1\.s?html?", name):
        ext = name.split(".", 1)[1]
        return [response.urljoin(f"{i}.{ext}") for i in range(2, int(m.group(1)) + 1)], False
    query = dict(parse_qsl(urlsplit(url).query))
    _, pages = declared_size(text)
    for p in PAGE_PARAMS:
        if pages and query.get(p) in ("0", "1"):
            return [with_param(url, p, i) for i in range(2, pages + 1)], False
    return [], False


class GenericSpider(PortalSpider):
    name = "generic"
    platform = "longtail"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sub_seen: set[str] = set()

    def is_column(self, response) -> bool:
        if not isinstance(response, scrapy.http.TextResponse):
            return False
        return bool(self.report_anchors(response) or self.sub_columns(response) or ztree.is_tree(response)
                    or ucap.is_search_list(response) or JSON_CALL.search(response.text))

    def report_anchors(self, response) -> list:
        host = urlparse(response.url).netloc
        out = []
        for a in report_links(response):
            url = response.urljoin(a.attrib["href"].strip())
            parts = urlparse(url)
            if parts.scheme in ("http", "https") and parts.netloc == host and not TWIN.search(parts.path):
                out.append(a)
        return out

    def foreign_report_links(self, response, anchors) -> list:
        mine = {id(a.root) for a in anchors}
        out = []
        for a in report_links(response):
            href = a.attrib["href"].strip()
            if id(a.root) in mine or is_silent(href) or TWIN.search(urlparse(response.urljoin(href)).path):
                continue
            out.append(a)
        return out

    def sub_columns(self, response) -> list[str]:
        host = urlparse(response.url).netloc
        out = []
        for a in response.css("a[href]"):
            href = a.attrib["href"].strip()
            text = " ".join(" ".join(a.css("::text").getall()).split())
            if href.startswith(("javascript:", "#", "mailto:")) or not SUB_COLUMN.match(text) or PAGER_TEXT.match(text):
                continue
            url = response.urljoin(href)
            if urlparse(url).netloc == host and not is_home(url) and url != response.url:
                out.append(url)
        return list(dict.fromkeys(out))

    def parse_column(self, response, column, depth=0):
        if not isinstance(response, scrapy.http.TextResponse):
            return
        if (tree := ztree.tree_request(self, response, column)) is not None:
            # A zTree shell: the lists are the nodes of a JSONP tree (a family module).
            yield tree
            return
        if m := JSON_CALL.search(response.text):
            yield scrapy.Request(response.urljoin(m.group(1)), self.parse_json_list, errback=self.on_error,
                                 headers={"Referer": response.url}, cb_kwargs={"column": column, "first": True})
        if (search := ucap.search_request(self, response, column)) is not None:
            # A list page whose items come from the site's JSON search (a family module).
            yield search
            return
        anchors = self.report_anchors(response)
        items = self.list_items(response, anchors)
        self.list_page(column, response.url, items)
        records, pages = declared_size(response.text)
        self.declare(column, records, pages)
        for a in anchors:
            text = anchor_text(a)
            row = " ".join(a.xpath("ancestor::tr[1]//text() | ancestor::li[1]//text()").getall())
            yield self.article(response, a.attrib["href"].strip(), text, iso_date(row), column)
        for a in self.foreign_report_links(response, anchors):
            # A report title leading to another scheme or site is not one of this list's items,
            # but it goes through the fetch policy all the same: refused there in one line and
            # counted (crawler/offsite.py), or followed where the policy allows that host.
            yield self.article(response, a.attrib["href"].strip(), anchor_text(a), None, column)
        kw = {"column": column, "depth": depth}
        for a in response.css("a[href]"):
            href = a.attrib["href"].strip()
            if href.startswith(("javascript:", "#", "mailto:")) or not PAGER_TEXT.match(" ".join(a.css("::text").getall())):
                continue
            url = response.urljoin(href)
            if self.same_site(url, response.url) and not is_home(url):
                yield from self.list_request(url, column, kw)
        urls, probing = scripted_pages(response)
        cov = self.coverage_of(column)
        if probing:
            cov["probe_from"].add(urls[-1] if urls else response.url)
        for url in urls:
            yield from self.list_request(url, column, kw)
        if response.url in cov["probe_from"] and cov["first_size"] and len(items) >= cov["first_size"]:
            # A stale total: a last page as full as the first may not be the last.
            nxt = _next_suffix(response.url)
            if nxt:
                cov["probe_from"].add(nxt)
                yield from self.list_request(nxt, column, kw, quiet=True)
        if depth < MAX_SUB_DEPTH:
            for url in self.sub_columns(response):
                if url in self.sub_seen:
                    continue
                if len(self.sub_seen) >= self.settings.getint("XXGK_MAX_SUB_COLUMNS", MAX_SUB_COLUMNS):
                    note = "sub-column bound reached"
                    if note not in self.outcome.notes:
                        self.outcome.notes.append(note)
                    break
                self.sub_seen.add(url)
                yield scrapy.Request(url, self.parse_column, errback=self.on_error,
                                     cb_kwargs={"column": url, "depth": depth + 1})

    def parse_json_list(self, response, column, first=False):
        try:
            data = json.loads(response.text)
        except ValueError:
            self.outcome.errors.append((response.url, "the list the page's script loads is not JSON"))
            return
        rows, meta = _json_rows(data)
        urls = []
        for r in rows:
            title = next((str(r[k]) for k in _TITLE_KEYS if r.get(k)), "")
            href = next((str(r[k]) for k in _URL_KEYS if r.get(k)), None)
            if not href:
                continue
            urls.append(response.urljoin(href))
            if self.is_report(title) and self.same_site(response.urljoin(href), response.url):
                date = next((str(r[k]) for k in _DATE_KEYS if r.get(k)), "")
                yield self.article(response, href, title, iso_date(date), column)
        self.list_page(column, response.url, urls)
        total = next((int(meta[k]) for k in ("total", "recordCount", "totalCount") if str(meta.get(k, "")).isdigit()), 0)
        size = next((int(meta[k]) for k in ("pageSize", "rows", "size") if str(meta.get(k, "")).isdigit()), len(rows))
        self.declare(column, records=total)
        query = dict(parse_qsl(urlsplit(response.url).query))
        if first and total and size and "page" in query:
            for p in range(int(query["page"]) + 1, min(-(-total // size), MAX_LIST_PAGES) + 1):
                yield scrapy.Request(with_param(response.url, "page", p), self.parse_json_list, errback=self.on_error,
                                     headers={"Referer": response.request.headers.get("Referer", b"").decode()},
                                     cb_kwargs={"column": column})

    def list_request(self, url, column, kw, quiet=False):
        cov = self.coverage_of(column)
        if url in cov["requested"]:
            return
        if len(cov["requested"]) >= self.settings.getint("XXGK_MAX_LIST_PAGES", MAX_LIST_PAGES):
            if not cov.get("bounded"):
                cov["bounded"] = True
                self.outcome.notes.append(f"list page bound reached in {column}")
            return
        cov["requested"].add(url)
        # A probe past a stale page count may find nothing there: that is no failure.
        yield scrapy.Request(url, self.parse_column, errback=self.probe_failed if quiet else self.on_error, cb_kwargs=kw)

    def probe_failed(self, failure):
        self.logger.info("%s: no page past the stated page count", failure.request.url)

    @staticmethod
    def list_items(response, anchors) -> set[str]:
        """The items of a list page (reports and the news among them): the links of the lists
        (ul, ol, table) that hold its report links."""
        items = set()
        for a in anchors:
            box = a.xpath("ancestor::*[self::ul or self::ol or self::table][1]")
            for b in box[:1]:
                for x in b.css("a[href]"):
                    href = x.attrib["href"].strip()
                    text = " ".join(x.css("::text").getall())
                    if not href.startswith(("javascript:", "#")) and not PAGER_TEXT.match(text) \
                            and not TWIN.search(urlparse(response.urljoin(href)).path):
                        items.add(response.urljoin(href))
            if not box:
                items.add(response.urljoin(a.attrib["href"].strip()))
        return items


def _json_rows(data) -> tuple[list[dict], dict]:
    """(the list of items, the object holding it) in a JSON list answer: the first list of
    objects with a title and a URL, at the top or one level down."""
    for holder in (data, *(v for v in (data.values() if isinstance(data, dict) else []) if isinstance(v, dict))):
        if not isinstance(holder, dict):
            continue
        for v in holder.values():
            if isinstance(v, list) and v and all(isinstance(x, dict) for x in v) \
                    and any(k in v[0] for k in _TITLE_KEYS) and any(k in v[0] for k in _URL_KEYS):
                return v, holder
    return [], data if isinstance(data, dict) else {}


def _next_suffix(url: str) -> str | None:
    """The page after a `name_N.ext` page (after `name.ext`: `name_2.ext`, the spelling without _1)."""
    if m := re.search(r"_(\d+)(\.s?html?)$", url):
        return f"{url[:m.start()]}_{int(m.group(1)) + 1}{m.group(2)}"
    if m := re.search(r"/([A-Za-z]+)(\.s?html?)$", url):
        return f"{url[:m.start()]}/{m.group(1)}_2{m.group(2)}"
    return None
