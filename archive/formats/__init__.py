"""Readers for attachments: DOCX, DOC/WPS, XLSX/XLS, images and scans, PDF tables.

Every reader yields the same intermediate as an HTML page, an archive.document.Document: grids
of archive.htmlgrid.Cell (a merged cell is one object seen from each slot it covers) and the
running text. archive.parse hands it to the one mapping step (archive.engine); no reader
imports the mapping. The kind of a file is decided from its bytes, never from its name.
"""
from __future__ import annotations

import zipfile

from ..document import Document
from ..errors import ParseError


def sniff_zip(names: set[str]) -> str | None:
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "content.xml" in names and "mimetype" in names:
        return "odf"
    return None


def read_zip(data: bytes, source: str) -> Document:
    from . import limits

    z = limits.open_zip(data, source)
    kind = sniff_zip(set(z.namelist()))
    if kind == "docx":
        from .docx import read_docx

        return read_docx(data, source)
    if kind == "xlsx":
        from .sheet import read_sheet

        return read_sheet(data, source, "xlsx")
    if kind == "odf":
        try:
            mimetype = z.read("mimetype")
        except (NotImplementedError, zipfile.BadZipFile, OSError, EOFError) as e:
            raise ParseError(source, f"not a readable ZIP container ({e})") from None
        suffix = ".odt" if b"opendocument.text" in mimetype else ".ods"
        return _via_office(data, source, suffix, "odf")
    raise ParseError(source, "a ZIP archive, not a Word or Excel document")


def read_ole(data: bytes, source: str) -> Document:
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
            from .sheet import read_sheet

            return read_sheet(data, source, "xls")
        if "CONTENTS" in streams or "MatOST" in streams:
            return _via_office(data, source, ".wps", "wps")
    finally:
        ole.close()
    raise ParseError(source, f"unsupported Office 97–2003 file (streams: {', '.join(sorted(streams)[:5])})")


def _via_office(data: bytes, source: str, suffix: str, source_format: str) -> Document:
    from w3lib.encoding import html_to_unicode

    from .office import convert

    _, html = html_to_unicode(None, convert(data, source, suffix, "html"))  # as archive.parse.decode_html
    return read_html(html, source, source_format)


_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "div", "li", "tr", "td", "th", "br", "table")


def read_html(html: str, source: str, source_format: str) -> Document:
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
    return Document(source_format, grids=grids, text=doc.text_content())
