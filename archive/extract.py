"""Main text and metadata of an article page.

The report's prose (what is stored for search and read for the narrative) comes from
Resiliparse's plain-text extraction: a C++ HTML parser that takes a fraction of a millisecond
per page, where trafilatura took about 5 ms, most of a report's parsing budget. It keeps the
visible text but the tables and the portal's frame (menus, header, footer: `FRAME`). The
statistical tables are read from the raw HTML by htmlgrid; trafilatura still gives the page
metadata.
"""
from __future__ import annotations

import logging

import trafilatura
from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree

logging.getLogger("trafilatura").setLevel(logging.ERROR)


MIN_PROSE = 200  # characters: less than this from a page with tables means a table layout


def _lines(text: str) -> str:
    """One block a line, blank lines and runs of white space (&nbsp; included) dropped."""
    return "\n".join(line for line in (" ".join(raw.split()) for raw in text.splitlines()) if line)


# A portal's frame around the article: its menus list every department and its footer names the
# government, so kept in the prose they would make a search for 公安局 or 云溪县人民政府 find every
# report of the portal. What trafilatura's boilerplate removal did, by the markup's own names.
FRAME = ["nav", "header", "footer", "aside", "form", "select",
         *(f"[{a}*={w}]" for w in ("nav", "menu", "header", "footer", "crumb", "sidebar") for a in ("class", "id"))]


def main_text(html: str) -> str:
    """The report's prose. Its statistical tables are stored cell by cell, so they are left out
    here (the narrative checks then see only the narrative); a page that lays out its whole
    article in a <table>, as old portals do, is read with its tables."""
    # Not Resiliparse's main-content filter: it drops short inline elements, and pages typed in
    # Word split text into them (`202<span>4</span><span>年</span>` lost its 年).
    tree = HTMLTree.parse(html)
    options = dict(main_content=False, alt_texts=False, list_bullets=False)
    text = _lines(extract_plain_text(tree, skip_elements=["table", *FRAME], **options))
    if len(text) < MIN_PROSE and "<table" in html[:2_000_000].lower():
        text = _lines(extract_plain_text(tree, skip_elements=FRAME, **options)) or text
    if not text:  # a page whose article sits inside what is named like a frame
        text = _lines(extract_plain_text(tree, skip_elements=["table"], **options))
    return text
