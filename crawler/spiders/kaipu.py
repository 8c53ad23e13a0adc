"""Kaipu (开普云) CMSPRO (portal-styles.md, style E): items inside `<cmspro_documents>`, the next
page through the 下一页 link of `div#page_div`."""
from __future__ import annotations

from .base import PortalSpider, iso_date


class KaipuSpider(PortalSpider):
    name = "kaipu"
    platform = "kaipu"

    def parse_column(self, response, column):
        for li in response.css("cmspro_documents li"):
            a = li.css("a[href]")
            if a and self.is_report(title := self.anchor_title(a[0])):
                yield self.article(response, a[0].attrib["href"], title, iso_date(" ".join(li.css("span ::text").getall())), column)
        for a in response.css("#page_div a[href]"):
            if "下一页" in "".join(a.css("::text").getall()):
                yield self.follow(response, a, self.parse_column, errback=self.on_error, cb_kwargs={"column": column})
