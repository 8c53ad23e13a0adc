"""XLSX and XLS reports through python-calamine: each sheet a grid, merged ranges as one Cell.

Spreadsheets often hold the three tables stacked on one sheet, separated by blank rows or by a
heading row; each run of non-blank rows is cut into its own grid, so that the label mapper sees
a table at a time as it does for HTML.
"""
from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

from ..errors import ParseError
from ..htmlgrid import Cell, Grid
from ..labels import clean_text
from ..document import Document
from . import limits
from .docx import set_spans

MAX_CELLS = 2_000_000  # a sheet with more slots than this is not a report's table


def _text(v) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        # Excel stores numbers as doubles; the shortest repr is what the author typed (96171.6).
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, (datetime, date, time, timedelta)):
        return str(v)
    return clean_text(str(v))


def sheet_grids(sheet, source: str) -> list[Grid]:
    rows = sheet.to_python(skip_empty_area=False)
    if not rows:
        return []
    # A merged range may reach past the last column holding a value (its other slots are empty
    # in the sheet's rows): the grid is as wide as the ranges too.
    merged = sheet.merged_cell_ranges or []
    width = max(len(r) for r in rows)
    spans = max((c1 + 1 for (r0, c0), (_, c1) in merged
                 if r0 < len(rows) and c0 < len(rows[r0]) and _text(rows[r0][c0])), default=0)
    if width < spans and spans * len(rows) <= MAX_CELLS:
        width = spans
    if width * len(rows) > MAX_CELLS:
        raise ParseError(source, f"sheet {sheet.name!r} too large ({len(rows)} × {width} cells)")
    grid: list[list[Cell | None]] = [
        [Cell(_text(v), r, c) for c, v in enumerate(row)] + [None] * (width - len(row)) for r, row in enumerate(rows)
    ]
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(grid) or c0 >= width:
            continue
        top = grid[r0][c0]
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            for c in range(c0, min(c1, width - 1) + 1):
                grid[r][c] = top
    set_spans(grid)
    return split_tables(grid)


def split_tables(grid: Grid) -> list[Grid]:
    """Runs of rows with text, split at blank rows and at full-width heading rows (a title or
    「表三」 caption merged across the table is not part of the table below it)."""
    out, current = [], []
    for row in grid:
        texts = [c for c in row if c is not None and c.text]
        if not texts:
            if current:
                out.append(current)
            current = []
            continue
        current.append(row)
    if current:
        out.append(current)
    # Every table keeps the sheet's left edge: a table's first column blank in all its rows (a
    # row of values whose first cell is blank, the rest of its table above a blank row) is
    # still its first column.
    left = min((_extent(g)[0] for g in out), default=0)
    return [_trim(g, left) for g in out]


def _extent(grid: Grid) -> tuple[int, int]:
    keep = [c for c in range(len(grid[0])) if any(row[c] is not None and row[c].text for row in grid)]
    return (keep[0], keep[-1]) if keep else (0, -1)


def _trim(grid: Grid, left: int) -> Grid:
    """Columns blank in every row right of this table (the sheet is wider) and left of the
    sheet's content removed."""
    return [row[left : _extent(grid)[1] + 1] for row in grid]


def read_sheet(data: bytes, source: str, kind: str) -> Document:
    import python_calamine as pc

    if kind == "xlsx":
        limits.open_zip(data, source)
    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        grids, lines = [], []
        for name in wb.sheet_names:
            sheet = wb.get_sheet_by_name(name)
            for grid in sheet_grids(sheet, source):
                grids.append(grid)
                for row in grid:
                    lines.append("\n".join(dict.fromkeys(c.text for c in row if c is not None and c.text)))
    except pc.PasswordError:
        raise ParseError(source, "password-protected (encrypted workbook)") from None
    except (pc.CalamineError, pc.XmlError, pc.ZipError, ValueError, OSError):
        # calamine's wording changes between versions; the status needs only this much.
        raise ParseError(source, f"not a readable {kind.upper()} workbook (damaged)") from None
    return Document(kind, grids=grids, text="\n".join(lines))
