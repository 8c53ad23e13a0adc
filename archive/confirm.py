"""Value cells read with doubt (OCR): mapped by their labels, kept when confirmed.

A reader that is not sure of its digits (archive/formats/ocr.py reads each value cell of a
picture with two engines) yields a Document whose `doubted` list (empty when no table was
found) pairs those cells with what was read in them: `agreed` (the number both engines read alike, else None) and `candidates()`
(numbers one engine alone read with confidence). The grids are mapped like any other by their
labels, with a probe token in every doubted cell, which tells which canonical cell each one is
whatever the engines read there. A number is then kept when the engines agree, or when an
accounting identity (A1–A4), all of whose other cells are known, balances with exactly one
engine's reading. Anything else is unknown, never guessed, and the report says how many cells
were read how.
"""
from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

from . import schema
from .completeness import template_cells
from .document import Document
from .labels import read_value
from .report import ParsedReport

PROBE = 10**9  # doubted cells hold PROBE + their index while the grids are mapped by their labels


def _number(text: str):
    v = read_value(text)
    return (v.status, v.number) if v.status in ("number", "dash") else None


def equations() -> list[tuple[list[tuple], list[tuple]]]:
    """A1–A4 as (left cells, right cells) whose sums are equal."""
    A = "applications"
    eqs = []
    for row, _, _ in schema.APPLICATION_ROWS:
        eqs.append(([(A, row, "total")], [(A, row, c) for c in schema.APPLICANT_PARTS]))
    for col, _ in schema.APPLICANT_COLUMNS:
        eqs.append(([(A, "new_received", col), (A, "carried_over", col)],
                    [(A, "total_processed", col), (A, "carried_forward", col)]))
        for rows in {schema.RESULT_ROWS_2021, schema.RESULT_ROWS_2019}:
            eqs.append(([(A, "total_processed", col)], [(A, r, col) for r in rows]))
    for group, _ in schema.REVIEW_ROWS:
        eqs.append(([("reviews", group, "total")], [("reviews", group, c) for c in schema.REVIEW_PARTS]))
    return eqs


def confirm(known: dict, candidates: dict) -> dict:
    """Candidates an identity confirms: in an equation whose every other cell is known, the one
    candidate cell must hold exactly the number that balances it, and one engine must have read
    that number. Repeated while it confirms more."""
    known = dict(known)
    confirmed = {}
    eqs = equations()
    changed = True
    while changed:
        changed = False
        for left, right in eqs:
            cells = left + right
            open_ = [k for k in cells if k not in known]
            if len(open_) != 1 or open_[0] not in candidates:
                continue
            k = open_[0]
            if k in left:
                need = sum((known[c] for c in right), Decimal(0)) - sum((known[c] for c in left if c != k), Decimal(0))
            else:
                need = sum((known[c] for c in left), Decimal(0)) - sum((known[c] for c in right if c != k), Decimal(0))
            for text in candidates[k]:
                n = _number(text)
                if n and n[0] == "number" and n[1] == need:
                    known[k] = need
                    confirmed[k] = text
                    changed = True
                    break
    return confirmed


def read_doubted(doc: Document, source: str) -> ParsedReport:
    """The report of a document with doubted cells (see the module docstring)."""
    from .checks import check_report
    from .engine import read_document
    from .textparse import prepare

    # The grids are mapped once with a token in every doubted cell: the mapping (by the labels
    # alone) tells which canonical cell each grid cell is, whatever the engines read in it.
    cells, readings = {}, {}
    for cell, reading in doc.doubted:
        cell.text = str(PROBE + len(cells))
        cells[cell.text] = cell
        readings[id(cell)] = reading
    report = read_document(dataclasses.replace(doc, grids=list(doc.grids), doubted=None), source)
    where, key_of = {}, {}
    for table, row, col, value in report.cells():
        if value.raw in cells:
            where[(table, row, col)] = readings[id(cells[value.raw])]
            key_of[id(cells[value.raw])] = (table, row, col)
    misplaced = _misplaced(doc.grids, cells.values(), key_of)
    known, candidates = {}, {}
    for key, r in where.items():
        if key in misplaced:
            continue
        if r.agreed is not None:
            known[key] = _number(r.agreed)[1] or Decimal(0)
        elif r.candidates():
            candidates[key] = r.candidates()
    for table, row, col, value in report.cells():
        if value.status == "blank":
            # An empty cell balances an identity as a zero, though it is stored as printed.
            known.setdefault((table, row, col), Decimal(0))
    confirmed = confirm(known, candidates)
    doubted = 0
    for key, r in where.items():
        table, row, col = key
        text = r.agreed if r.agreed is not None else confirmed.get(key)
        if text is None or key in misplaced:
            del report.tables[table][row][col]
            report.unknown_cells.append(f"{table}.{row}.{col}")
            doubted += 1
        else:
            report.tables[table][row][col] = read_value(text)
    for table in list(report.tables):
        for row in [r for r, cols in report.tables[table].items() if not cols]:
            del report.tables[table][row]
    # The grids as finally read, for the report's text: a doubted or unplaced cell is empty.
    for cell in cells.values():
        t, r, c = key_of.get(id(cell), (None, None, None))
        value = report.tables.get(t, {}).get(r, {}).get(c)
        cell.text = value.raw if value is not None else ""
    doubted += _unknown_from_unreadable(report)
    if report.template:
        _missing_as_unknown(report)
    elif doc.grids or len(_LOOSE_NUMBER.findall(doc.text)) >= LOOSE_NUMBERS:
        _template_unread(report)
    lines = [doc.text]
    for grid in doc.grids:
        for row in grid:
            lines.append(" ".join(dict.fromkeys(c.text for c in row if c is not None and c.text)))
    report.text = prepare("\n".join(lines))
    agreed = sum(1 for r in where.values() if r.agreed is not None)
    report.warnings.insert(0, (
        f"read by {doc.read_by}: {len(where)} value cells, {agreed} read alike by both, "
        f"{len(confirmed)} read by one and confirmed by the identities, {doubted} doubted and left unknown"))
    check_report(report)
    return report


def _misplaced(grids, cells, key_of) -> set:
    """表三's cells whose place the mapping cannot vouch for. Its grid has one value column per
    applicant column and one value row per result row: where a column (row) of the picture's grid
    was mapped to two canonical columns (rows), or one canonical column (row) was found in two
    columns (rows) of one grid, a rule was missed or a label misread, and a number may sit in
    its neighbour's place. Every cell of such a column or row is unknown, however well read."""
    from collections import defaultdict

    grid_of = {id(c): g for g, grid in enumerate(grids) for row in grid for c in row if c is not None}
    found = []
    for cell in cells:
        key = key_of.get(id(cell))
        if key is not None and key[0] == "applications" and id(cell) in grid_of:
            found.append((grid_of[id(cell)], cell, key))
    names, places = defaultdict(set), defaultdict(set)
    for g, cell, (_, row, col) in found:
        names[("col", g, cell.col)].add(col)
        places[("col", g, col)].add(cell.col)
        names[("row", g, cell.row)].add(row)
        places[("row", g, row)].add(cell.row)
    bad = set()
    for g, cell, key in found:
        _, row, col = key
        if (len(names[("col", g, cell.col)]) > 1 or len(places[("col", g, col)]) > 1
                or len(names[("row", g, cell.row)]) > 1 or len(places[("row", g, row)]) > 1):
            bad.add(key)
    return bad


def _unknown_from_unreadable(report: ParsedReport) -> int:
    """Value cells read as something that is not a number (text outside a ruled table) become
    unknown cells: removed from the tables, listed in unknown_cells (which flags the report)."""
    n = 0
    for table, row, col, value in list(report.cells()):
        if value.status == "unreadable":
            del report.tables[table][row][col]
            report.unknown_cells.append(f"{table}.{row}.{col}")
            n += 1
    for table in list(report.tables):
        for row in [r for r, cols in report.tables[table].items() if not cols]:
            del report.tables[table][row]
    return n


# A number of the running text, its doubted digits (ocr.UNREADABLE) too: where OCR found no table
# (the rules not seen), the tables' values are read as running text, numbers by the hundred, far
# more than a page of prose holds.
_LOOSE_NUMBER = re.compile("[0-9\ufffd]+")
LOOSE_NUMBERS = 40


def _template_unread(report: ParsedReport) -> None:
    """A ruled table, or numbers by the score outside any, were found but not the labels that
    name the template (a page OCR could not read): the cells of either template that were not
    read are unknown, which flags the report, rather than missing without a word."""
    _unread_as_unknown(report, template_cells("2021") + template_cells("2019"))
    report.warnings.append("OCR: the labels that name the template were not read: no template, every unread cell unknown")


def _missing_as_unknown(report: ParsedReport) -> None:
    """Cells of the detected template that were not read at all (a label OCR garbled) are
    unknown too: a picture prints every cell of its tables."""
    keys = template_cells(report.template, report.template_variant)
    apps = report.tables.get("applications", {})
    if report.template == "2021" and not any(r in apps for r in (*schema.OTHER_2021, "other")):
        # Which 表三 it prints (2021's （六） sub-rows or the 2019 （六）其他处理 of a "mixed"
        # report) was told from fragments of garbled text, not from a row read: the rows of both
        # are unknown.
        other = template_cells("2021", None if report.template_variant else "mixed")
        keys += other
    _unread_as_unknown(report, keys)


def _unread_as_unknown(report: ParsedReport, keys: list[str]) -> None:
    """The cells of `keys` (once each, in order) that were neither read nor listed unknown are
    listed unknown."""
    have = {f"{t}.{r}.{c}" for t, r, c, _ in report.cells()} | set(report.unknown_cells)
    for key in dict.fromkeys(keys):
        if key not in have:
            report.unknown_cells.append(key)
