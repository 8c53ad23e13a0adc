"""The long tail (portal-styles.md, style F): home-grown list pages, recognised only by their
links. Every link whose text is a report title is fetched (an HTML page or straight a PDF of a
年报汇总 page); 下一页 links (ASPX query-string paging and the like) are followed."""
from __future__ import annotations

import re

from .base import PortalSpider, iso_date
from .discovery import anchor_text

NEXT = re.compile(r"^\s*(下一页|下页|>)\s*$")


class LongtailSpider(PortalSpider):
    name = "longtail"
    platform = "longtail"

    def parse_column(self, response, column):
        for a in response.css("a[href]"):
            text = anchor_text(a)
            if self.is_report(text):
                row = " ".join(a.xpath("ancestor::tr[1]//text() | ancestor::li[1]//text()").getall())
                yield self.article(response, a.attrib["href"], text, iso_date(row), column)
            elif NEXT.match(" ".join(a.css("::text").getall())):
                yield self.follow(response, a, self.parse_column, errback=self.on_error, cb_kwargs={"column": column})
