"""One mapping step for every format: the readings a Document offers, and the one kept.

A document is read by its grids (rows and columns known by their labels, archive.tables) and by
its text (rows found by their labels in reading order, values by column position, glued digits
split by the identities, pinned by narrative restatements: archive.textparse). The first reading
that is complete (every cell of its template read) and consistent (no identity A1–A4 fails) is
kept and the others are not tried. Otherwise:

- a complete, consistent reading is kept over ones that are not;
- two complete, consistent readings that disagree on a cell make that cell unknown;
- else the grid reading is kept, its unread cells filled from the text reading where that one
  read them, a cell both read differently left unknown; a report still missing cells is
  flagged incomplete (archive.completeness).

A source whose every reading is complete but fails an identity is archived as printed and
flagged: the values stay, a check fails.
"""
from __future__ import annotations

import copy
import re

from . import tables
from .document import Document, pipe_text
from .errors import ParseError
from .report import ParsedReport


def complete(report: ParsedReport) -> bool:
    return report.template is not None and not report.unknown_cells


def failed_identities(report: ParsedReport) -> list[dict]:
    return [c for c in report.checks if c["status"] == "failed" and c["check"] in ("A1", "A2", "A3", "A4")]


def consistent(report: ParsedReport) -> bool:
    return not failed_identities(report)


def _forget(report: ParsedReport, keys) -> None:
    """Cells no reading can vouch for: out of the tables, into unknown_cells."""
    for key in keys:
        table, row, col = key.split(".")
        del report.tables[table][row][col]
        report.unknown_cells.append(key)


def grid_reading(doc: Document) -> ParsedReport:
    report = ParsedReport(source_format=doc.source_format)
    tables.read_grids(doc.grids, report)
    return report


def text_reading(doc: Document, text: str) -> ParsedReport:
    from .textparse import prepare, read_tables

    report = ParsedReport(source_format=doc.source_format)
    read_tables(prepare(text), report)
    return report


def _finish(report: ParsedReport, doc: Document, text: str) -> ParsedReport:
    from .parse import finish

    report.title = report.title or doc.title
    report.text = text
    finish(report)
    return report


def read_document(doc: Document, source: str) -> ParsedReport:
    """The canonical report of a document (see the module docstring for which reading is kept)."""
    from .textparse import find_title, parse_text, prepare

    if doc.doubted is not None:
        from .confirm import read_doubted

        return read_doubted(doc, source)  # maps the grids (through here), then confirms the values
    if not doc.grids:
        return _text_only(doc, source)
    prose = doc.prose if doc.prose is not None else prepare(doc.text)
    if not doc.title:
        doc.title = re.sub(r"\s+", "", find_title(prose)) or None
    by_grid = _finish(grid_reading(doc), doc, prose)
    if complete(by_grid) and consistent(by_grid):
        return by_grid  # the first complete, consistent reading: the others are not tried
    if not by_grid.tables and not by_grid.unknown_cells:
        # The grids hold none of the tables (tables typed as text, pasted as pictures…).
        return _text_only(doc, source)
    by_text = _finish(text_reading(doc, pipe_text(doc.grids)), doc, prose)
    return choose(by_grid, by_text)


def read_text(text: str, source: str, source_format: str = "text") -> ParsedReport:
    """The text by labels; when that leaves 表三 or 表四 incomplete, also the text by column position
    (archive.columns: a PDF dumped with its layout), the better of the two kept by `choose`."""
    from .textparse import parse_text

    by_labels = parse_text(text, source, source_format=source_format)
    if _BROKEN_NUMBER.search(text):
        lines = text.split("\n")
        breaks = [len(_BROKEN_NUMBER.findall(line)) for line in lines]
        if by_labels.template is not None and not (complete(by_labels) and consistent(by_labels)):
            joined = "\n".join(_WRAPPED.sub(r"\1\2", line) if n == 1 else line for line, n in zip(lines, breaks))
            by_labels = _either_break(by_labels, parse_text(joined, source, source_format=source_format))
        if max(breaks) > 1:
            _blank_rows_unknown(by_labels)  # rows run together somewhere (`| 573<br>0 | 0<br>1 |`)
    if by_labels.template is None or not any(c.startswith(("applications.", "reviews.")) for c in by_labels.unknown_cells):
        return by_labels  # complete (or not a 2019/2021 report): nothing more is tried
    from .columns import read_by_columns

    by_columns = read_by_columns(text, by_labels)
    return by_labels if by_columns is None else choose(by_labels, by_columns)


# A markdown cell whose digits a converter broke over lines (`12<br>7`): one wrapped number (127)
# or the values of two rows run into one line (`573<br>0`); only the identities can tell.
_BROKEN_NUMBER = re.compile(r"(\d)<br\s*/?>(\d)", re.I)
# Joined only where it can be one number (no leading 0) and is the line's one broken cell: a line
# whose cells all break is two rows run together.
_WRAPPED = re.compile(r"(?<![\d.])([1-9]\d*)<br\s*/?>(\d)", re.I)


def _either_break(split: ParsedReport, joined: ParsedReport) -> ParsedReport:
    """The reading with broken cells read as two values and the one with them joined: a complete,
    consistent one is kept; if neither is, the cells of a table failing an identity that the two
    do not read alike are unknown (each reading fails, so neither is the source as printed)."""
    if complete(joined) and consistent(joined) and joined.template == split.template:
        return joined
    if consistent(split):
        return choose(split, joined)  # the cells split left unread, from joined where it fails nothing more
    theirs = _cells(joined)
    failing = {c["table"] for c in failed_identities(split)}
    differ = [k for k, v in _cells(split).items()
              if k.split(".")[0] in failing and (k not in theirs or not _same(v, theirs[k]))]
    _forget(split, differ)
    if differ:
        split.warnings.append(f"{len(differ)} cells read differently with a number broken over lines "
                              "as one value and as two, neither reading consistent: left unknown")
        _refinish(split)
    return split


def _blank_rows_unknown(report: ParsedReport) -> None:
    """A converter that runs two rows into one line leaves the second row's label on a line of
    its own with empty cells: in such a text a 表三 row printing nothing is not a row of zeros."""
    apps = report.tables.get("applications") or {}
    blank = [r for r, cols in apps.items()
             if cols and all(v.number is None and v.status in ("blank", "dash") for v in cols.values())]
    for row in blank:
        _forget(report, [f"applications.{row}.{col}" for col in apps[row]])
        report.warnings.append(f"applications.{row}: no value printed in a text whose rows run together: left unknown")
    if blank:
        _refinish(report)


def _text_only(doc: Document, source: str) -> ParsedReport:
    """The text reading alone; a page that names its title (HTML) keeps it."""
    from .textparse import prepare

    if doc.source_format != "html" or not doc.title:
        return read_text(doc.text, source, source_format=doc.source_format)
    text = prepare(doc.text)
    return _finish(text_reading(doc, text), doc, doc.prose if doc.prose is not None else text)


def _cells(report: ParsedReport) -> dict[str, object]:
    return {f"{t}.{r}.{c}": v for t, r, c, v in report.cells()}


def _same(a, b) -> bool:
    return a.number == b.number and (a.number is not None or a.status in ("blank", "dash") and b.status in ("blank", "dash"))


def choose(first: ParsedReport, second: ParsedReport) -> ParsedReport:
    """Of two readings of one document, the one to keep (or their merge)."""
    good = [r for r in (first, second) if complete(r) and consistent(r) and r.template == first.template]
    if len(good) == 1:
        return good[0]
    if len(good) == 2:
        a, b = _cells(first), _cells(second)
        differ = [k for k in a if k in b and not _same(a[k], b[k])]
        _forget(first, differ)
        for key in differ:
            first.warnings.append(f"{key}: read {a[key].raw!r} from the grid, {b[key].raw!r} from the text: left unknown")
        if differ:
            _refinish(first)
        return first
    if not first.unknown_cells or second.template != first.template:
        return first  # complete but inconsistent: archived as printed, its checks fail
    merged = copy.deepcopy(first)
    unknown = set(merged.unknown_cells)
    theirs = _cells(second)
    filled = 0
    for key in list(unknown):
        v = theirs.get(key)
        if v is not None and key not in second.unknown_cells:
            table, row, col = key.split(".")
            merged.tables.setdefault(table, {}).setdefault(row, {})[col] = v
            unknown.discard(key)
            filled += 1
    if not filled:
        return first
    for key, v in _cells(first).items():
        if key in theirs and not _same(v, theirs[key]):
            table, row, col = key.split(".")
            del merged.tables[table][row][col]
            unknown.add(key)
            merged.warnings.append(f"{key}: read {v.raw!r} from the grid, {theirs[key].raw!r} from the text: left unknown")
    merged.unknown_cells = [k for k in merged.unknown_cells if k in unknown] + sorted(unknown - set(merged.unknown_cells))
    merged.warnings.append(f"{filled} cells read from the text where the grids left them")
    _refinish(merged)
    failed = lambda r: sum(1 for c in r.checks if c["status"] == "failed")  # noqa: E731
    return first if failed(merged) > failed(first) else merged


def _refinish(report: ParsedReport) -> None:
    from . import schema
    from .checks import check_report
    from .completeness import mark_missing

    order = [k for k, _, _ in schema.APPLICATION_ROWS]
    apps = report.tables.get("applications")
    if apps:
        report.tables["applications"] = {k: apps[k] for k in sorted(apps, key=lambda k: order.index(k) if k in order else 99)}
    for table in list(report.tables):
        for row in [r for r, cols in report.tables[table].items() if not cols]:
            del report.tables[table][row]
    template, variant = report.template, report.template_variant
    mark_missing(report)
    report.template, report.template_variant = template, variant
    check_report(report)


__all__ = ["Document", "read_document", "choose", "complete", "consistent", "ParseError"]
