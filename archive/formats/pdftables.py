"""PDF reports: the text layer first, pdfplumber's ruled tables where the text layer cannot say
which column a value is in, OCR where there is no text layer at all.

A text layer prints the values of a row in order but not where they stand: a row of 表三 with
two cells left blank prints five numbers for seven columns, and the stream reader rightly leaves
it unknown. pdfplumber finds the ruled table on the page and its cells by position, blanks
included. It is slower (the page's drawing is analysed), so it runs only on the pages that hold
a table, and only when the text layer left a cell unknown or a table unread. Where both read a
cell they must agree; a cell on which they differ is unknown, not chosen.
"""
from __future__ import annotations

import io
import re

from .. import tables
from ..checks import check_report
from ..completeness import mark_missing
from ..errors import ParseError
from ..htmlgrid import Cell, Grid
from ..labels import clean_text, looks_numeric
from ..report import ParsedReport
from . import limits

_TABLE_WORDS = re.compile(r"本\s*年\s*新\s*收|上\s*年\s*结\s*转|行\s*政\s*复\s*议|信\s*息\s*内\s*容|第\s*二\s*十\s*条")
MAX_TABLE_PAGES = 12


def parse_pdf_document(data: bytes, source: str) -> ParsedReport:
    from ..pdfparse import pdf_text
    from ..textparse import parse_text

    _refuse_password(data, source)
    text, meta = pdf_text(data, source)
    if not text.strip():
        from .ocr import parse_scanned_pdf

        return parse_scanned_pdf(data, source)
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


def _refuse_password(data: bytes, source: str) -> None:
    """A PDF that needs a password to open gets its own status, not 'damaged'."""
    import pypdfium2 as pdfium

    try:
        pdfium.PdfDocument(data).close()
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
            raise ParseError(source, "password-protected PDF") from None
        # Anything else is reported by the text-layer reader in its own words.


def _complete(report: ParsedReport) -> bool:
    return not report.unknown_cells and all(report.tables.get(t) for t in ("active", "applications", "reviews"))


def table_grids(data: bytes, source: str) -> list[Grid]:
    """The ruled tables of the pages that hold a report table, as grids, in page order."""
    import pdfplumber

    grids: list[Grid] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            seen = 0
            for i, page in enumerate(pdf.pages):
                if i >= limits.MAX_TABLE_SCAN_PAGES:
                    break  # a report's tables are in its first pages; the rest is not read
                words = page.extract_text() or ""
                if not _TABLE_WORDS.search(words) and not grids:
                    continue
                seen += 1
                if seen > MAX_TABLE_PAGES:
                    break
                for table in page.find_tables():
                    grid = table_grid(table)
                    if grid and grids and _continues_label(grids[-1], grid):
                        grid = grid[1:]
                    if grid:
                        grids.append(grid)
    except ParseError:
        raise
    except Exception as e:  # pdfminer raises many kinds on damaged content streams
        raise ParseError(source, f"PDF tables not readable ({type(e).__name__})") from None
    return grids


def _continues_label(before: Grid, grid: Grid) -> bool:
    """A page break inside a row's label: the new page's first row prints the rest of the label
    and no value (`逾期未按收费…申请` under `2.申请人`). Its text is joined to the label of the
    row before the break, so the row is known by its whole label; True when that was done."""
    first, last = grid[0], before[-1]
    if len(first) != len(last) or any(c is not None and c.text and looks_numeric(c.text) for c in first):
        return False
    texts = [c for c in first if c is not None and c.text]
    values = [i for i, c in enumerate(last) if c is not None and c.text and looks_numeric(c.text)]
    if not texts or not values or any(first[i] is not None and first[i].text for i in values):
        return False  # not a label's rest: a repeated header, or a row of its own
    done = set()
    for c, cell in enumerate(first):
        if cell is None or not cell.text or id(cell) in done or last[c] is None:
            continue
        done.add(id(cell))
        last[c].text += cell.text
    return True


def table_grid(table) -> Grid:
    """A pdfplumber table as a grid: each printed cell one Cell, and a slot that pdfplumber
    leaves empty (covered by a merged cell) given the Cell whose box covers it."""
    texts = table.extract()
    rows = table.rows
    if not rows:
        return []
    boxes: list[tuple[tuple, Cell]] = []
    grid: list[list[Cell | None]] = []
    for r, row in enumerate(rows):
        out: list[Cell | None] = []
        for c, bbox in enumerate(row.cells):
            if bbox is None:
                out.append(None)
                continue
            text = texts[r][c] if r < len(texts) and c < len(texts[r]) else ""
            cell = Cell(clean_text(text or ""), r, c)
            boxes.append((bbox, cell))
            out.append(cell)
        grid.append(out)
    # Slot edges from the cells' own corners: a column's bbox in pdfplumber spans the widest
    # cell that starts in it, so it cannot locate a slot.
    xs = sorted({round(b[0], 1) for b, _ in boxes}) + [max(b[2] for b, _ in boxes)]
    ys = sorted({round(b[1], 1) for b, _ in boxes}) + [max(b[3] for b, _ in boxes)]
    for r in range(len(grid)):
        for c in range(len(grid[r])):
            if grid[r][c] is not None or c + 1 >= len(xs) or r + 1 >= len(ys):
                continue
            x, y = (xs[c] + xs[c + 1]) / 2, (ys[r] + ys[r + 1]) / 2
            for (x0, top, x1, bottom), cell in boxes:
                if x0 <= x <= x1 and top <= y <= bottom:
                    grid[r][c] = cell
                    break
    width = max(len(r) for r in grid)
    grid = [r + [None] * (width - len(r)) for r in grid]
    from .docx import set_spans

    set_spans(grid)
    return grid


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
    from .. import schema

    rank = {t: i for i, t in enumerate(schema.TABLES)}
    return sorted(keys, key=lambda k: (rank.get(k.split(".")[0], 9), k))


def _recheck(report: ParsedReport) -> None:
    from .. import schema

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
