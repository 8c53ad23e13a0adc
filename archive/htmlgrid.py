"""HTML tables expanded to grids, merged cells kept as one cell seen from every slot it covers.

trafilatura drops rowspan/colspan, so the tables are read from the raw HTML with lxml. A cell
that spans several slots appears in each of them as the *same* Cell object, which lets the
table mapper tell "one printed value spanning two columns" from "two printed values".
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html

from .errors import ParseError
from .labels import clean_text


MAX_SPAN = 200  # hostile HTML: rowspan="100000" must not allocate a giant grid
# Nor may many merged cells: a report's table has a few hundred slots; a page whose tables
# expand to more is not a report's (30 KB of colspan=200 cells would otherwise take gigabytes).
MAX_CELLS = 200_000


class GridTooLarge(ParseError):
    def __init__(self, source: str = "<table>", reason: str = f"tables of more than {MAX_CELLS:,} cells, not a report's"):
        super().__init__(source, reason)


@dataclass(eq=False)
class Cell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


Grid = list[list[Cell | None]]


def _span(el, name: str) -> int:
    value = el.get(name)
    if value is None:
        return 1
    try:
        return max(1, min(int(value.strip() or 1), MAX_SPAN))
    except ValueError:
        return 1


def cell_text(el) -> str:
    """Text of a cell with its <p>/<br>/<span> splits joined: labels are printed across them."""
    if not len(el):
        return clean_text(el.text or "")  # no child elements: the common cell of a plain table
    parts = []
    for node in el.iter():
        if node.tag in ("br", "p", "div") and parts:
            parts.append(" ")
        if node.text and node.tag not in ("script", "style"):
            parts.append(node.text)
        if node is not el and node.tail:
            parts.append(node.tail)
    return clean_text("".join(parts))


def table_grid(table) -> Grid:
    """Expand one <table> element (nested tables excluded) to a rectangular grid."""
    grid: dict[tuple[int, int], Cell] = {}
    rows = [tr for tr in table.iter("tr") if _owner_table(tr) is table]
    slots = 0
    for r, tr in enumerate(rows):
        c = 0
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            cell = Cell(cell_text(td), r, c, _span(td, "rowspan"), _span(td, "colspan"))
            if cell.rowspan == 1 and cell.colspan == 1:  # the slot is free: the loop above found it
                grid[r, c] = cell
                slots += 1
                if slots > MAX_CELLS:
                    raise GridTooLarge()
                c += 1
                continue
            slots += cell.rowspan * cell.colspan
            if slots > MAX_CELLS:
                raise GridTooLarge()
            for dr in range(cell.rowspan):
                if r + dr >= len(rows):
                    break
                for dc in range(cell.colspan):
                    grid.setdefault((r + dr, c + dc), cell)
            c += cell.colspan
    if not grid:
        return []
    height = max(r for r, _ in grid) + 1
    width = max(c for _, c in grid) + 1
    if height * width > MAX_CELLS:
        raise GridTooLarge()
    return [[grid.get((r, c)) for c in range(width)] for r in range(height)]


def _owner_table(tr):
    node = tr.getparent()
    while node is not None and node.tag != "table":
        node = node.getparent()
    return node


# Tables drawn with <div>s and CSS (display: table / table-row / table-cell), inline or by class
# in the page's <style>: no <table> element at all, so the grid comes from the display values.
_DISPLAY = re.compile(r"display\s*:\s*(table(?:-row|-cell)?)\b", re.I)
_CLASS_RULE = re.compile(r"((?:\.[\w-]+\s*,?\s*)+)\{[^}]*?display\s*:\s*(table(?:-row|-cell)?)\b", re.I)


def _css_classes(doc) -> dict[str, str]:
    out = {}
    for style in doc.iter("style"):
        for selectors, display in _CLASS_RULE.findall(style.text or ""):
            for name in re.findall(r"\.([\w-]+)", selectors):
                out[name] = display.lower()
    return out


def _display(el, classes: dict[str, str]) -> str | None:
    style = el.get("style")
    if style:
        m = _DISPLAY.search(style)
        if m:
            return m.group(1).lower()
    cls = el.get("class")
    if cls and classes:
        for name in cls.split():
            if name in classes:
                return classes[name]
    return None


def css_table_grid(table, classes: dict[str, str]) -> Grid:
    """A CSS table as a grid: its table-row elements (not those of a table nested in it), each
    row's table-cell children in order; CSS has no spans."""
    rows = []
    for el in table.iter():
        if el is table or not isinstance(el.tag, str) or _display(el, classes) != "table-row":
            continue
        owner = el.getparent()
        while owner is not None and owner is not table and _display(owner, classes) != "table":
            owner = owner.getparent()
        if owner is not table:
            continue
        rows.append([td for td in el if isinstance(td.tag, str) and _display(td, classes) == "table-cell"])
    if not rows:
        return []
    if sum(len(r) for r in rows) > MAX_CELLS:
        raise GridTooLarge()
    width = max(len(r) for r in rows)
    return [[Cell(cell_text(td), r, c) for c, td in enumerate(row)] + [None] * (width - len(row))
            for r, row in enumerate(rows)]


def html_grids(html, css: bool | None = None) -> list[Grid]:
    """Every table of a document (HTML text or an lxml tree), in document order, as grids
    (empty tables left out). ``css``: whether to look for CSS tables too (by default when the
    text names a table-cell display; a caller holding the text says so, the tree cannot)."""
    if html is None or (isinstance(html, (str, bytes)) and not html):
        return []
    if css is None:
        css = isinstance(html, (str, bytes)) and ("table-cell" in html if isinstance(html, str) else b"table-cell" in html)
    doc = lxml.html.fromstring(html) if isinstance(html, (str, bytes)) else html
    grids, total = [], 0
    if css:
        classes = _css_classes(doc)
        tables = [el for el in doc.iter() if el.tag == "table" or isinstance(el.tag, str) and el.tag != "table"
                  and _display(el, classes) == "table"]
    else:
        tables = doc.iter("table")
    for table in tables:
        g = table_grid(table) if table.tag == "table" else css_table_grid(table, classes)
        if g and any(cell is not None and cell.text for row in g for cell in row):
            total += len(g) * len(g[0])
            if total > MAX_CELLS:  # the whole document too, not only each table
                raise GridTooLarge()
            grids.append(g)
    return grids


def distinct(cells) -> list[Cell]:
    """The cells of a row or column in order, each merged cell once."""
    out = list(dict.fromkeys(cells))  # a Cell hashes by identity: a merged cell is kept once
    if None in out:
        out.remove(None)
    return out
