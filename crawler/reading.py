"""What a reader process runs: the parse of one page or file, and the reader's own set-up.

Kept apart from crawler/pipelines.py, which imports Scrapy: reader processes are spawned, and a
spawned process imports the module of the function it runs, so a reader started from here does
not load Scrapy and Twisted it never uses (0.8 CPU seconds and their memory, per reader).
"""
from __future__ import annotations

import os
import signal

from archive.errors import ParseError
from archive.parse import decode_html, parse_bytes, parse_html
from archive.reader import death_signal
from archive.store import prepare


def read_file(body: bytes, url: str, content_type: str | None, title: str, html: bool = False,
              rows: bool = False):
    """In a reader process: (the parsed report, None) or (None, the reason it cannot be read).
    The reason crosses back as text: an exception with its own __init__ does not unpickle.
    `rows`: the report as the archive writes it (`archive.store.prepare`), built here rather
    than in the crawl process, which writes for every portal on one core."""
    try:
        if html:
            parsed = parse_html(decode_html(body, content_type), title=title, source=url)
        else:
            parsed = parse_bytes(body, url, content_type, title=title)
    except ParseError as e:
        return None, e.reason
    return (prepare(parsed) if rows else parsed), None


def _background() -> None:
    """The readers run at a lower CPU priority, and so do the LibreOffice and Tesseract they
    start: on a busy machine the downloads come first, or they time out while a scan is read.
    A reader dies with the crawl, even a crawl killed with SIGKILL: it would otherwise wait for
    work forever (it holds both ends of its own queue, so it never reads an end of file)."""
    try:
        os.nice(10)
    except OSError:
        pass
    if not death_signal(signal.SIGKILL, os.getppid()):  # the crawl died before the request took effect
        os._exit(0)
