"""Hanweb jcms (大汉) and JPaaS (portal-styles.md, style A).

jcms: the column page embeds the first records in `<datastore>` and announces
`jpage({totalRecord, perPage})`; the rest is POSTed for, 45 records a call, to the dataproxy.jsp
named in `<nextgroup>`. JPaaS: the column page holds page 1 and a pager `<div count rows
queryData>`; pages 2… come as JSON (`data.html`) from `front/page/build/unit`.
"""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import scrapy

from .base import PortalSpider, iso_date

RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
JPAGE = re.compile(r"totalRecord\s*:\s*(\d+).*?perPage\s*:\s*(\d+)", re.S)
NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[\s*<a href=[\"']([^\"']+)[\"']", re.S)
PAGER = re.compile(r"count=\"(\d+)\"\s+rows=\"(\d+)\"\s+queryData=\"(\{[^\"]*\})\"")
PER_CALL = 45
JPAAS_UNIT = "/api-gateway/jpaas-publish-server/front/page/build/unit"


class HanwebSpider(PortalSpider):
    name = "hanweb"
    platform = "hanweb"

    def parse_column(self, response, column):
        text = response.text
        if "<datastore>" in text:
            yield from self.records(response, RECORD.findall(text), column)
            jpage, nextgroup = JPAGE.search(text), NEXTGROUP.search(text)
            if jpage and nextgroup:
                total, per = int(jpage.group(1)), int(jpage.group(2))
                proxy = urlsplit(nextgroup.group(1).replace("&amp;", "&"))
                q = dict(parse_qsl(proxy.query))
                form = {"col": "1", "appid": q.get("appid", "1"), "webid": q.get("webid", ""), "path": q.get("path", "/"),
                        "columnid": q.get("columnid", ""), "sourceContentType": "1", "unitid": q.get("unitid", ""),
                        "webname": q.get("webname", ""), "permissiontype": q.get("permissiontype", "0")}
                for start in range(per + 1, total + 1, PER_CALL):
                    end = min(start + PER_CALL - 1, total)
                    url = response.urljoin(f"{proxy.path}?startrecord={start}&endrecord={end}&perpage={per}")
                    yield scrapy.FormRequest(url, formdata=form, callback=self.parse_records, errback=self.on_error,
                                             cb_kwargs={"column": column})
        elif (m := PAGER.search(text)):
            yield from self.list_items(response, scrapy.Selector(text=text).css("ul li"), column)
            count, rows = int(m.group(1)), int(m.group(2))
            query = dict(re.findall(r"'(\w+)'\s*:\s*'([^']*)'", m.group(3)))
            for page in range(2, -(-count // rows) + 1):
                params = {"webId": query.get("webId", ""), "pageId": query.get("pageId", ""), "tplSetId": query.get("tplSetId", ""),
                          "pageType": query.get("pageType", "column"), "tagId": query.get("tagId", ""), "pageNo": page,
                          "pageSize": rows}
                yield scrapy.Request(response.urljoin(f"{JPAAS_UNIT}?{urlencode(params)}"), self.parse_jpaas,
                                     errback=self.on_error, cb_kwargs={"column": column})

    def parse_records(self, response, column):
        yield from self.records(response, RECORD.findall(response.text), column)

    def parse_jpaas(self, response, column):
        try:
            html = (json.loads(response.text).get("data") or {}).get("html") or ""
        except ValueError:
            self.outcome.errors.append((response.url, "JPaaS answer is not JSON"))
            return
        yield from self.list_items(response, scrapy.Selector(text=f"<ul>{html}</ul>").css("li"), column)

    def records(self, response, fragments, column):
        for frag in fragments:
            yield from self.list_items(response, scrapy.Selector(text=frag).css("li"), column)

    def list_items(self, response, lis, column):
        for li in lis:
            a = li.css("a[href]")
            if not a:
                continue
            title = self.anchor_title(a[0])
            if self.is_report(title):
                date = iso_date(" ".join(li.css("span ::text").getall()))
                yield self.article(response, a[0].attrib["href"], title, date, column)
