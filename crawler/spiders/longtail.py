"""The long tail (portal-styles.md, style F): home-grown list pages, recognised only by their
links, read by the generic list reader (`generic.py`): report links by title, 下一页 links,
page numbers, page-count scripts and the common URL spellings, with a coverage record."""
from __future__ import annotations

from .generic import GenericSpider


class LongtailSpider(GenericSpider):
    name = "longtail"
    platform = "longtail"
