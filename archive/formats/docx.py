"""DOCX reports: python-docx tables as grids, merged cells as one Cell seen from every slot.

python-docx repeats a merged cell in ``row.cells`` (the same <w:tc> for a horizontal span, the
top <w:tc> for a vertical one), so identity of the underlying element is what tells one printed
value spanning slots from several printed values.
"""
from __future__ import annotations

import io
import zipfile

from ..errors import ParseError
from ..htmlgrid import Cell, Grid
from ..labels import clean_text
from ..document import Document
from . import limits


def _cell_text(cell) -> str:
    # Paragraphs inside a cell are the label's printed line breaks (商业\n企业).
    return clean_text(" ".join(p.text for p in cell.paragraphs))


def table_grid(table) -> Grid:
    rows: list[list[Cell | None]] = []
    seen: dict[object, Cell] = {}
    for r, row in enumerate(table.rows):
        out: list[Cell | None] = [None] * row.grid_cols_before
        for cell in row.cells:
            tc = cell._tc
            found = seen.get(tc)
            if found is None:
                found = seen[tc] = Cell(_cell_text(cell), r, len(out))
            out.append(found)
        out += [None] * row.grid_cols_after
        rows.append(out)
    width = max((len(r) for r in rows), default=0)
    grid = [r + [None] * (width - len(r)) for r in rows]
    set_spans(grid)
    return grid


def set_spans(grid: Grid) -> None:
    """rowspan/colspan of each Cell from the slots it occupies (the mapper reads colspan to
    match a row's values to its header when their spans disagree)."""
    # One pass over the slots (a sheet of 20,000 rows must not cost rows × cells).
    rows: dict[int, list] = {}  # id(cell) -> [cell, last row seen in, rows seen in, slots in its own row]
    for r, row in enumerate(grid):
        for c in row:
            if c is None:
                continue
            e = rows.get(id(c))
            if e is None:
                e = rows[id(c)] = [c, r, 1, 0]
            elif e[1] != r:
                e[1], e[2] = r, e[2] + 1
            if r == c.row:
                e[3] += 1
    for cell, _, nrows, ncols in rows.values():
        cell.rowspan, cell.colspan = nrows, ncols


CORE = "docProps/core.xml"
_EMPTY_CORE = (b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n<cp:coreProperties xmlns:cp="
               b'"http://schemas.openxmlformats.org/package/2006/metadata/core-properties"/>')


def _sound_properties(z, data: bytes, warnings: list[str]) -> bytes:
    """The document with its core properties (title, author, dates) replaced by empty ones when
    that part is not well-formed XML: python-docx would refuse the whole document for it, though
    the body holding the report is intact. The report says so."""
    from lxml import etree

    if CORE not in z.namelist():
        return data
    try:
        etree.fromstring(z.read(CORE), etree.XMLParser(resolve_entities=False, no_network=True))
        return data
    except (etree.XMLSyntaxError, ValueError, zipfile.BadZipFile, OSError, EOFError) as e:
        warnings.append(f"document properties ({CORE}) damaged and ignored ({type(e).__name__}): the title comes from the text")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in z.infolist():
            dst.writestr(info, _EMPTY_CORE if info.filename == CORE else z.read(info.filename))
    return out.getvalue()


def docx_grids_and_text(data: bytes, source: str, warnings: list[str] | None = None):
    """(grids, running text, title property); what was wrong but not fatal goes to ``warnings``."""
    import docx

    warnings = [] if warnings is None else warnings
    z = limits.open_zip(data, source)
    try:
        data = _sound_properties(z, data, warnings)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        pass  # a member unreadable: python-docx below says the document is damaged
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # KeyError, lxml's XMLSyntaxError, PackageNotFoundError… from damaged parts
        raise ParseError(source, "not a readable Word document (damaged)") from None
    grids: list[Grid] = []
    lines: list[str] = []

    def walk(container):
        for block in container.iter_inner_content():
            if hasattr(block, "rows"):
                grid = table_grid(block)
                grids.append(grid)
                for row in grid:
                    lines.append("\n".join(dict.fromkeys(c.text for c in row if c is not None)))
                for row in block.rows:  # nested tables, after their parent
                    for cell in {c._tc: c for c in row.cells}.values():
                        for nested in cell.tables:
                            grids.append(table_grid(nested))
            else:
                lines.append(block.text)

    walk(document)
    try:
        title = document.core_properties.title or None
    except Exception as e:  # a property python-docx cannot read (a bad value): the title comes from the text
        warnings.append(f"document properties unreadable ({type(e).__name__}): the title comes from the text")
        title = None
    return grids, "\n".join(lines), title


def read_docx(data: bytes, source: str) -> Document:
    warnings: list[str] = []
    grids, text, title = docx_grids_and_text(data, source, warnings)
    grids = [g for g in grids if any(c is not None and c.text for row in g for c in row)]
    return Document("docx", grids=grids, text=text, meta_title=title, warnings=warnings)
