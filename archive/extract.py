"""Main text and metadata of an article page, with trafilatura.

trafilatura drops rowspan/colspan, so it is used for the readable text (search, narrative
checks) and the page metadata only; the tables are read from the raw HTML by htmlgrid.
"""
from __future__ import annotations

import logging

import trafilatura

logging.getLogger("trafilatura").setLevel(logging.ERROR)


def main_text(html: str) -> str:
    text = trafilatura.extract(
        html, include_tables=True, include_comments=False, favor_recall=True, deduplicate=False
    )
    return text or ""


def page_metadata(html: str) -> dict:
    """Title, date, site name from the page's meta tags and markup (None where absent)."""
    meta = trafilatura.extract_metadata(html)
    if meta is None:
        return {"title": None, "date": None, "sitename": None}
    return {"title": meta.title, "date": meta.date, "sitename": meta.sitename}
