"""The ruled tables of a PDF, read by pdfplumber, cells by position and blanks included:
archive.pdfreadings uses them where the text layer cannot say which column a value is in (its
docstring says when, and how the two readings are combined).
"""
from __future__ import annotations

import io
import re

from ..errors import ParseError
from ..htmlgrid import Cell, Grid
from ..labels import clean_text, looks_numeric
from . import limits

_TABLE_WORDS = re.compile(r"本\s*年\s*新\s*收|上\s*年\s*结\s*转|行\s*政\s*复\s*议|信\s*息\s*内\s*容|第\s*二\s*十\s*条")
MAX_TABLE_PAGES = 12


def refuse_password(data: bytes, source: str) -> None:
    """A PDF that needs a password to open gets its own status, not 'damaged'."""
    import pypdfium2 as pdfium

    try:
        pdfium.PdfDocument(data).close()
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
            raise ParseError(source, "password-protected PDF") from None
        # Anything else is reported by the text-layer reader in its own words.


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
