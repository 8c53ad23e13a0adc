"""Parsing one document (bytes of any supported kind) into a ParsedReport.

The kind is decided from the bytes, not from the name: a portal's `.htm` may be a PDF and a
`.pdf` may be an HTML error page.
"""
from __future__ import annotations

import re
import stat
from pathlib import Path

from lxml import etree
from w3lib.encoding import html_to_unicode

from . import tables
from .document import Document
from .engine import read_document
from .checks import check_report
from .completeness import drop_outside_template, mark_missing, unreadable_as_unknown
from .errors import ParseError
from .extract import main_text
from .htmlgrid import GridTooLarge, html_grids
from .labels import clean_text
from .report import ParsedReport, organ_in_text, statement_year, title_year_organ
from .textparse import fuzzy

from .formats.limits import MAX_BYTES


def sniff(data: bytes) -> str:
    head = data[:1024].lstrip()
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "image"
    low = head[:512].lower()
    if low.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<meta", b"<body", b"<div", b"<table")) or (
        b"<table" in data[:2_000_000].lower() and b"</td>" in data[:2_000_000].lower()
    ):
        return "html"
    return "text"


def decode_text(data: bytes, source: str) -> str:
    """Plain text in UTF-8 (with or without BOM), UTF-16 or GB18030 (which covers GBK/GB2312).
    A few damaged bytes are replaced (U+FFFD), not fatal: see `decode_damaged`."""
    return decode_damaged(data, source)[0]


# A text is read despite damaged bytes when they are few: one place in a thousand bytes, at
# least a few. More than that and it is not text in that encoding at all.
_DAMAGE_RATIO = 0.001
_DAMAGE_MIN = 4


def decode_damaged(data: bytes, source: str) -> tuple[str, int]:
    """(the text, how many damaged bytes were replaced). Strict decodings first; then UTF-8, then
    GB18030, with replacement, if the damage is small (GBK text read as UTF-8 fails on every
    character, so a genuine GBK text never passes as damaged UTF-8)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
        return text, text.count("\ufffd")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc), 0
        except UnicodeDecodeError:
            continue
    allowed = max(_DAMAGE_MIN, int(len(data) * _DAMAGE_RATIO))
    for enc in ("utf-8-sig", "gb18030"):
        text = data.decode(enc, errors="replace")
        # One damaged byte may cost a character its two or three other bytes: count places.
        if len(re.findall("\ufffd+", text)) <= allowed:
            return text, text.count("\ufffd")
    raise ParseError(source, "not text in UTF-8, UTF-16 or GB18030")


def damage_touches_tables(text: str) -> bool:
    """Whether a replaced byte sits on a line that carries numbers or next to one: it may have
    been a digit or a label of a table, and the report is flagged for it."""
    lines = text.splitlines()
    numeric = [any(ch.isdigit() for ch in line) for line in lines]
    for i, line in enumerate(lines):
        if "\ufffd" in line and any(numeric[max(0, i - 1): i + 2]):
            return True
    return False


def decode_html(data: bytes, content_type: str | None = None) -> str:
    """HTML bytes to text, trusting BOM, then header, then <meta charset>; GB2312/GBK decode as
    GB18030 because pages declared gb2312 carry GBK-only characters (喆, 堃)."""
    enc, text = html_to_unicode(content_type, data)
    return text


def _title(doc) -> str:
    for xpath in ("//meta[@name='ArticleTitle']/@content", "//h1", "//title"):
        found = doc.xpath(xpath)
        if found:
            t = found[0] if isinstance(found[0], str) else _TEXT(found[0])
            t = clean_text(t)
            if t:
                return t
    return ""


# lxml's plain elements: lxml.html's element classes cost a Python call for every element
# touched, a third of the time spent reading a page's tables.
_HTML_PARSER = etree.HTMLParser()
_TEXT = etree.XPath("string()")  # an element's text, as lxml.html's text_content()


def parse_html(html: str, title: str | None = None, source: str = "<html>") -> ParsedReport:
    try:
        doc = etree.fromstring(html, _HTML_PARSER)
    except (ValueError, etree.ParserError, etree.XMLSyntaxError) as e:
        raise ParseError(source, f"not readable as HTML ({e})") from None
    if doc is None:
        raise ParseError(source, "not readable as HTML (Document is empty)")
    try:
        grids = html_grids(doc, css="table-cell" in html)  # tables of CSS <div>s only where named
    except GridTooLarge as e:
        raise ParseError(source, e.reason) from None
    title = title or _title(doc)
    if not title:
        # A markdown conversion with HTML table fragments: the title is its first text line.
        from .textparse import find_title

        title = re.sub(r"\s+", "", find_title(_TEXT(doc))) or None
    prose = main_text(html)
    document = Document("html", grids=grids, text=prose, title=title, prose=prose)
    try:
        return read_document(document, source)
    except ParseError:
        # An HTML page is what a portal listed as a report: with nothing to read it is still
        # archived (template null), never refused.
        report = ParsedReport(source_format="html", title=title, text=prose)
        finish(report)
        return report


_T3 = re.compile(r"本\s*年\s*新\s*收")
_T3_MORE = (re.compile(r"上\s*年\s*结\s*转"), re.compile(r"予\s*以\s*公\s*开"), re.compile(r"结\s*转\s*下\s*年"))
_OLD_TABLE = re.compile(r"指\s*标\s*名\s*称|历\s*年\s*累\s*计|计\s*量\s*单\s*位")


# The headings of 表三 and 表四 in the 2019/2021 templates: printed as prose lines, they survive
# a conversion that scatters the table's own labels (a PDF's wrapped cells read column by column).
_T3_HEADING = fuzzy("收到和处理政府信息公开申请")
_T4_HEADING = re.compile(r"行[\s|]*政[\s|]*复[\s|]*议[\s|]*[、，,和及]?[\s|]*行[\s|]*政[\s|]*诉[\s|]*讼")


def template_in_text(text: str) -> str | None:
    """A document whose text prints the row labels of 表三 (or the headings of 表三 and 表四) is a
    2019/2021 report even when no reading found its tables: it must end flagged, never as an
    empty report."""
    if not text or _OLD_TABLE.search(text):
        return None
    labels = _T3.search(text) and all(p.search(text) for p in _T3_MORE)
    if not labels and not (_T3_HEADING.search(text) and _T4_HEADING.search(text)):
        return None
    if _2019_ACTIVE.search(text) and not _2021_WORDS.search(text):
        return "2019"
    return "2021" if _2021_OTHER.search(text) or not labels and not _T3_HEADING.search(text) else "2021-mixed"


_2019_ACTIVE = fuzzy("新制作|对外公开总数")
_2021_WORDS = fuzzy("逾期不补正|制发")
# The sub-rows of 2021's （六）其他处理, in fragments a wrapped cell keeps whole: without them 表三
# is the 2019 one (a "mixed" report: 2021 表二, 2019 表三).
_2021_OTHER = fuzzy("不补|收费通|缴纳|逾期未")


def finish(report: ParsedReport) -> None:
    """What every format shares once the tables are read: template, year, organ, checks."""
    unreadable_as_unknown(report)
    active = report.tables.get("active"), [c for c in report.unknown_cells if c.startswith("active.")]
    tables.decide_template(report)
    if report.template is not None and not any(True for _ in report.cells()) and template_in_text(report.text):
        # Not one cell read: rows named unknown by a reader lost in the text (labels found, values
        # elsewhere) are no evidence of the template; the text's labels are.
        report.template = report.template_variant = None
        report.unknown_cells = []
    if report.template is None:
        report.template = template_in_text(report.text)
        if report.template is None and active[0] and report.text and _T3_HEADING.search(report.text):
            # 表二 read by its labels under the heading of 表三, whose labels a converter scattered
            # past finding (and 表四's heading with them): a report all the same, named by its 表二
            # (2019 or 2021) and by the fragments of 2021's （六） sub-rows (2021 or mixed).
            report.template = "2021" if _2021_OTHER.search(report.text) else "2021-mixed"
        if report.template == "2021-mixed":
            report.template, report.template_variant = "2021", "mixed"
        if report.template:
            report.warnings.append(f"the text prints the labels of the {report.template} tables, but 表三 was not read")
            if active[0] or active[1]:  # 表二 was read: it stays, and names the template
                report.tables["active"] = active[0] or {}
                report.unknown_cells += active[1]
                report.template = tables.active_template(report) or report.template
                if report.template == "2019":
                    report.template_variant = None
    drop_outside_template(report)
    mark_missing(report)
    year, organ = title_year_organ(report.title or "")
    report.year = year or statement_year(report.text)
    report.organ = organ_in_text(organ, report.text)
    check_report(report)  # identities A1–A4, A6: failures flag the report, values stay as printed


def parse_bytes(data: bytes, source: str, content_type: str | None = None, title: str | None = None) -> ParsedReport:
    """`title`, when the caller knows it (a crawler knows the title a portal lists the file
    under), names the report instead of the document's own title: its organ and year are the
    report's identity, and a picture's OCR or a file's properties misname them (云溪县 → 云深县)."""
    report = _parse_bytes(data, source, content_type)
    if title and title.strip():
        year, organ = title_year_organ(title)
        report.title = clean_text(title)
        report.year = year or report.year
        report.organ = organ_in_text(organ, report.text) if organ else report.organ
    return report


def _parse_bytes(data: bytes, source: str, content_type: str | None = None) -> ParsedReport:
    if not data or not data.strip():
        raise ParseError(source, "empty file")
    if len(data) > MAX_BYTES:
        raise ParseError(source, f"too large ({len(data) / 2**20:.0f} MiB > {MAX_BYTES // 2**20} MiB)")
    kind = sniff(data)
    if kind == "html":
        return parse_html(decode_html(data, content_type), source=source)
    if kind == "pdf":
        from .pdfreadings import parse_pdf_document

        return parse_pdf_document(data, source)
    if kind == "text":
        from .engine import read_text

        text, damaged = decode_damaged(data, source)
        if "\x00" in text or not _mostly_printable(text[:4096]):
            raise ParseError(source, "binary data, not a report")
        report = read_text(text, source)
        if damaged:
            report.warnings.append(f"damaged bytes: {damaged} characters of the text replaced by U+FFFD")
            if damage_touches_tables(text):
                report.damaged_text = True  # a digit or a label may be lost: flagged for review
        return report
    if kind == "zip":
        from .formats import read_zip

        return read_attachment(read_zip(data, source), source)
    if kind == "ole":
        from .formats import read_ole

        return read_attachment(read_ole(data, source), source)
    if kind == "image":
        from .formats.ocr import read_image

        return read_document(read_image(data, source), source)
    raise ParseError(source, f"unsupported document type ({kind})")


_YEAR = re.compile(r"(?:19|20)\d{2}|[〇○零一二][〇○零一二三四五六七八九]{3}")


def read_attachment(document: Document, source: str) -> ParsedReport:
    """The one mapping step for an attachment's document. Its title property names the report
    when it holds a year (else it is often a file name or a template's title), or when the
    text names none."""
    meta = document.meta_title
    if meta and not document.title and _YEAR.search(meta):
        document.title = meta
    report = read_document(document, source)
    if not report.title and meta:
        report.title = meta
    report.warnings[:0] = document.warnings
    return report


def _mostly_printable(head: str) -> bool:
    """Whether at least 95% of ``head`` is printable text (line breaks and tabs count)."""
    if head.replace("\n", "").replace("\r", "").replace("\t", "").isprintable():
        return True  # the common case, checked at C speed
    # Count each distinct character once (str.count runs at C speed): full-width spaces and
    # &nbsp; are not printable and common in reports.
    bad = sum(head.count(ch) for ch in set(head) if not ch.isprintable() and ch not in "\r\n\t")
    return bad <= 0.05 * len(head)


def read_file(path: str | Path) -> bytes:
    """The bytes of a regular file of at most MAX_BYTES. Anything else is refused by its type
    before it is opened: a FIFO would block the open, /dev/zero never ends."""
    path = Path(path)
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise ParseError(str(path), "is a directory, not a file")
        if not stat.S_ISREG(st.st_mode):
            kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else "a character device" if stat.S_ISCHR(st.st_mode)
                    else "a block device" if stat.S_ISBLK(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
                    else "a special file")
            raise ParseError(str(path), f"{kind}, not a regular file: refused")
        if st.st_size > MAX_BYTES:
            raise ParseError(str(path), f"too large ({st.st_size / 2**20:.0f} MiB > {MAX_BYTES // 2**20} MiB)")
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)  # a file that grows while read is still bounded
    except OSError as e:
        raise ParseError(str(path), e.strerror or str(e)) from None
    if len(data) > MAX_BYTES:
        raise ParseError(str(path), f"too large (more than {MAX_BYTES // 2**20} MiB)")
    return data


def parse_file(path: str | Path) -> ParsedReport:
    return parse_bytes(read_file(path), str(path))


def parse_file_result(path: str) -> tuple[ParsedReport | None, str | None]:
    """In a reader process: (the report, None) or (None, the one-line reason)."""
    try:
        return parse_file(path), None
    except ParseError as e:
        return None, e.reason
