"""Main text and metadata of an article page, with trafilatura.

trafilatura drops rowspan/colspan, so it is used for the readable text (search, narrative
checks) and the page metadata only; the tables are read from the raw HTML by htmlgrid.
"""
from __future__ import annotations

import logging

import trafilatura

logging.getLogger("trafilatura").setLevel(logging.ERROR)


MIN_PROSE = 200  # characters: less than this from a page with tables means a table layout


def main_text(html, source_html: str | None = None) -> str:
    """The report's prose (``html`` as text or an lxml tree, which is consumed). Its statistical tables are stored cell by cell, so they are left out
    here (ten times faster, and the narrative checks then see only the narrative); a page that
    lays out its whole article in a <table>, as old portals do, is read with its tables."""
    source_html = source_html if source_html is not None else html
    text = trafilatura.extract(html, include_tables=False, include_comments=False, favor_recall=True,
                               deduplicate=False, fast=True) or ""
    if len(text) < MIN_PROSE and isinstance(source_html, str) and "<table" in source_html[:2_000_000].lower():
        # trafilatura prunes the tree it is given: the second reading starts from the text.
        text = trafilatura.extract(source_html, include_tables=True, include_comments=False, favor_recall=True,
                                   deduplicate=False, fast=True) or text
    return text


def page_metadata(html: str) -> dict:
    """Title, date, site name from the page's meta tags and markup (None where absent)."""
    meta = trafilatura.extract_metadata(html)
    if meta is None:
        return {"title": None, "date": None, "sitename": None}
    return {"title": meta.title, "date": meta.date, "sitename": meta.sitename}
