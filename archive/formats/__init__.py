"""Readers for attachments: DOCX, DOC/WPS, XLSX/XLS, images and scans, PDF tables.

Every reader ends in the same place as an HTML page: grids of archive.htmlgrid.Cell (a merged
cell is one object seen from each slot it covers) mapped by their labels with tables.read_grids,
or text read by textparse.parse_text; then parse.finish (template, year, organ, checks). The
kind of a file is decided from its bytes, never from its name.
"""
from __future__ import annotations

import re
import zipfile

from ..errors import ParseError
from ..report import ParsedReport

_YEAR = re.compile(r"(?:19|20)\d{2}|[〇○零一二][〇○零一二三四五六七八九]{3}")


def report_from_grids(grids, text: str, source: str, source_format: str, title: str | None = None) -> ParsedReport:
    """A report from a document's table grids and its running text, by the one mapping step
    (archive.engine): the grid reading, else the text reading, the complete consistent one kept."""
    from ..document import Document
    from ..engine import read_document

    doc = Document(source_format, grids=list(grids), text=text, title=title if title and _YEAR.search(title) else None)
    report = read_document(doc, source)
    if not report.title and title:
        report.title = title
    return report


def sniff_zip(names: set[str]) -> str | None:
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "content.xml" in names and "mimetype" in names:
        return "odf"
    return None


def parse_zip(data: bytes, source: str) -> ParsedReport:
    from . import limits

    z = limits.open_zip(data, source)
    kind = sniff_zip(set(z.namelist()))
    if kind == "docx":
        from .docx import parse_docx

        return parse_docx(data, source)
    if kind == "xlsx":
        from .sheet import parse_sheet

        return parse_sheet(data, source, "xlsx")
    if kind == "odf":
        try:
            mimetype = z.read("mimetype")
        except (NotImplementedError, zipfile.BadZipFile, OSError, EOFError) as e:
            raise ParseError(source, f"not a readable ZIP container ({e})") from None
        suffix = ".odt" if b"opendocument.text" in mimetype else ".ods"
        return _via_office(data, source, suffix, "odf")
    raise ParseError(source, "a ZIP archive, not a Word or Excel document")


def parse_ole(data: bytes, source: str) -> ParsedReport:
    """An OLE2 compound file: a Word 97–2003 document (WPS Office writes its .wps files in the
    same format), an Excel 97–2003 workbook (.xls, WPS .et), a Works document, or a DOCX/XLSX
    that is encrypted with a password (OOXML encryption wraps the package in OLE)."""
    import olefile

    try:
        ole = olefile.OleFileIO(data)
        streams = {"/".join(s) for s in ole.listdir(streams=True, storages=False)}
    except (OSError, ValueError, IndexError, EOFError, TypeError):  # olefile raises several kinds
        raise ParseError(source, "not a readable Office 97–2003 file (damaged or truncated)") from None
    try:
        if "EncryptionInfo" in streams and "EncryptedPackage" in streams:
            raise ParseError(source, "password-protected (encrypted Office document)")
        if "WordDocument" in streams:
            fib = ole.openstream("WordDocument").read(12)
            # FIB base: wIdent 0xA5EC; flags at offset 10, bit 8 = fEncrypted.
            if len(fib) >= 12 and int.from_bytes(fib[10:12], "little") & 0x0100:
                raise ParseError(source, "password-protected (encrypted Word document)")
            return _via_office(data, source, ".doc", "doc")
        if "Workbook" in streams or "Book" in streams:
            from .sheet import parse_sheet

            return parse_sheet(data, source, "xls")
        if "CONTENTS" in streams or "MatOST" in streams:
            return _via_office(data, source, ".wps", "wps")
    finally:
        ole.close()
    raise ParseError(source, f"unsupported Office 97–2003 file (streams: {', '.join(sorted(streams)[:5])})")


def _via_office(data: bytes, source: str, suffix: str, source_format: str) -> ParsedReport:
    from ..parse import decode_html
    from .office import convert

    return read_html(decode_html(convert(data, source, suffix, "html")), source, source_format)


_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "div", "li", "tr", "td", "th", "br", "table")


def read_html(html: str, source: str, source_format: str) -> ParsedReport:
    """HTML written by a converter (LibreOffice): its tables as grids, its text with a line per
    paragraph and per cell. Its <title> is the document property, often empty or a file name,
    so the title comes from the text."""
    import lxml.html

    from ..htmlgrid import html_grids

    try:
        doc = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError) as e:
        raise ParseError(source, f"converted document not readable as HTML ({e})") from None
    for bad in doc.xpath("//script|//style|//head"):
        bad.drop_tree()
    from ..htmlgrid import GridTooLarge

    try:
        grids = html_grids(doc)
    except GridTooLarge as e:
        raise ParseError(source, e.reason) from None
    for el in doc.iter(*_BLOCKS):
        el.tail = "\n" + (el.tail or "")
    return report_from_grids(grids, doc.text_content(), source, source_format)
