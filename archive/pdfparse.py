"""Reading a PDF report: its text layer, page by page, into the label-anchored stream reader.

The text layer of the WPS-made reports prints each table cell as its own run, separated by
spaces and line breaks; a table split across pages is simply continued on the next page, with
the page footer (`- 4 -`) in between, which textparse.prepare removes. So the same stream reader
as for text serves (archive.pdfreadings), and pdfium (fast, tolerant) extracts the text.
"""
from __future__ import annotations

import pypdfium2 as pdfium

from .errors import ParseError

MAX_PAGES = 500


def pdf_text(data: bytes, source: str) -> tuple[str, dict]:
    """The text of every page, joined by line breaks, and the document metadata."""
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        # pdfium's own wording varies between versions; the user needs only this much.
        raise ParseError(source, "not a readable PDF (damaged or truncated)") from None
    try:
        if len(doc) == 0:
            raise ParseError(source, "PDF has no pages")
        pages = []
        for i in range(min(len(doc), MAX_PAGES)):
            page = doc[i]
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        meta = doc.get_metadata_dict()
    except pdfium.PdfiumError:
        raise ParseError(source, "not a readable PDF (damaged or truncated)") from None
    finally:
        doc.close()
    return "\n".join(pages), meta
