"""What every reader yields: one document of table grids and running text.

HTML, DOCX, XLS(X), the PDF's ruled tables and OCR all give the same intermediate: the grids of
the tables (archive.htmlgrid.Cell objects, a merged cell one object seen from every slot it
covers, with its position and spans) and the running text in reading order; OCR adds what its
two engines read in each value cell. archive.engine maps
a Document onto the canonical tables (archive.parse calls it); the readers never do
(tests/test_one_way.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .htmlgrid import Cell, Grid


@dataclass
class Document:
    source_format: str
    grids: list[Grid] = field(default_factory=list)
    text: str = ""  # running text in reading order (what a text dump of the document holds)
    title: str | None = None  # the title when the format names it (metadata, <h1>)
    prose: str | None = None  # the article text kept beside the report, when it differs from text
    # The file's own title property (DOCX core properties): often empty or a file name, so it
    # names the report only when it holds a year or when the text names none.
    meta_title: str | None = None
    warnings: list[str] = field(default_factory=list)  # what the reader met that the report must say
    # A reader unsure of its digits (OCR) pairs each value cell with what it read there (an
    # object with `agreed` and `candidates()`); archive/confirm.py keeps the numbers that are
    # read alike or confirmed by an identity. None: the reader is sure of what it read.
    doubted: list[tuple[Cell, object]] | None = None
    read_by: str | None = None  # how a doubted document was read, for the report's warning


def pipe_text(grids: list[Grid]) -> str:
    """The grids as markdown pipe tables: each printed cell once, in the slot where it starts,
    an empty cell for each slot a merged cell covers. The text reading reads these as it reads
    a converter's markdown, blanks included."""
    out = []
    for grid in grids:
        for r, row in enumerate(grid):
            cells = []
            for c, cell in enumerate(row):
                starts = cell is not None and (cell.row == r or r == 0) and (c == 0 or row[c - 1] is not cell)
                cells.append(cell.text.replace("|", " ") if starts else "")
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)
