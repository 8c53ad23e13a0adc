"""The readings of a PDF report and how they are combined: the text layer first (pdfparse, read
by the stream reader), pdfplumber's ruled tables (formats.pdftables) where the text layer cannot
say which column a value is in, OCR where there is no text layer at all.

A text layer prints the values of a row in order but not where they stand: a row of 表三 with
two cells left blank prints five numbers for seven columns, and the stream reader rightly leaves
it unknown. pdfplumber finds the ruled table on the page and its cells by position, blanks
included. It is slower (the page's drawing is analysed), so it runs only on the pages that hold
a table, and only when the text layer left a cell unknown or a table unread. Where both read a
cell they must agree; a cell on which they differ is unknown, not chosen.
"""
from __future__ import annotations

from . import tables
from .checks import check_report
from .completeness import mark_missing
from .errors import ParseError
from .formats.pdftables import refuse_password, table_grids
from .pdfparse import pdf_text
from .report import ParsedReport
from .textparse import parse_text


def parse_pdf_document(data: bytes, source: str) -> ParsedReport:
    refuse_password(data, source)
    text, meta = pdf_text(data, source)
    if not text.strip():
        from .engine import read_document
        from .formats.ocr import read_scanned_pdf

        return read_document(read_scanned_pdf(data, source), source)
    report = parse_text(text, source, source_format="pdf")
    if not report.title and meta.get("Title"):
        report.warnings.append(f"no title in the text; PDF metadata title: {meta['Title']}")
    if _complete(report):
        return report
    try:
        grid_report = read_table_pages(data, source)
    except ParseError as e:
        report.warnings.append(f"PDF tables not read by position: {e.reason}")
        return report
    merge(report, grid_report)
    return report


def parse_pdf(data: bytes, source: str) -> ParsedReport:
    text, meta = pdf_text(data, source)
    if not text.strip():
        raise ParseError(source, "PDF has no text layer (a scan?)")
    report = parse_text(text, source, source_format="pdf")
    if not report.title and meta.get("Title"):
        report.warnings.append(f"no title in the text; PDF metadata title: {meta['Title']}")
    return report


def _complete(report: ParsedReport) -> bool:
    return not report.unknown_cells and all(report.tables.get(t) for t in ("active", "applications", "reviews"))


def read_table_pages(data: bytes, source: str) -> ParsedReport:
    report = ParsedReport(source_format="pdf")
    tables.read_grids(table_grids(data, source), report)
    return report


def merge(report: ParsedReport, by_position: ParsedReport) -> None:
    """Cells the text layer left unknown or did not find, taken from the tables read by
    position; cells read both ways kept only where the two agree."""
    unknown = set(report.unknown_cells)
    filled = conflicts = 0
    # The engine's rule: of two readings, one complete and consistent with the identities, the
    # other not (the text layer could not place blank cells, or split runs of digits), the
    # complete one is kept; cells of two readings that are both complete never get here.
    by_position.template = None
    tables.decide_template(by_position)
    mark_missing(by_position)
    check_report(by_position)
    position_wins = (by_position.template == report.template and not by_position.unknown_cells
                     and not any(c["status"] == "failed" for c in by_position.checks))
    for table, row, col, value in list(by_position.cells()):
        key = f"{table}.{row}.{col}"
        have = report.tables.get(table, {}).get(row, {}).get(col)
        if position_wins and (have is None or have.number != value.number or have.status != value.status):
            report.tables.setdefault(table, {}).setdefault(row, {})[col] = value
            unknown.discard(key)
            filled += 1
            continue
        if have is None:
            report.tables.setdefault(table, {}).setdefault(row, {})[col] = value
            unknown.discard(key)
            filled += 1
        elif have.number != value.number or have.status != value.status:
            if have.status == "dash" and value.status in ("dash", "blank"):
                continue
            del report.tables[table][row][col]
            unknown.add(key)
            conflicts += 1
            report.warnings.append(f"{key}: text layer {have.raw!r}, table by position {value.raw!r}: left unknown")
    report.unknown_cells = [c for c in _order(unknown)]
    if filled:
        report.warnings.append(f"{filled} cells placed by position from the PDF's ruled tables (pdfplumber)")
    _recheck(report)


def _order(keys) -> list[str]:
    from . import schema

    rank = {t: i for i, t in enumerate(schema.TABLES)}
    return sorted(keys, key=lambda k: (rank.get(k.split(".")[0], 9), k))


def _recheck(report: ParsedReport) -> None:
    from . import schema

    # Rows in canonical order (the text reader stores them so; cells filled later must not
    # reorder the JSON).
    order = [k for k, _, _ in schema.APPLICATION_ROWS]
    apps = report.tables.get("applications")
    if apps:
        report.tables["applications"] = {k: apps[k] for k in sorted(apps, key=lambda k: order.index(k) if k in order else 99)}
    report.template = report.template_variant = None
    tables.decide_template(report)
    mark_missing(report)
    check_report(report)
