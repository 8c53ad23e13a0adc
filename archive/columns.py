"""Reading a PDF's tables from a text dump that keeps the page's layout (`pdftotext -layout`).

Such a dump prints each table row on one line, the values of the row in columns, but the narrow
label column of 表三 wrapped to a few characters a line (`1.属   7   8   8    0          0     23`,
then `于国`, `家秘`, `密` below), and a blank cell is simply missing from its line (six numbers
where there are seven columns). Rows are therefore found by the label fragments their lines
carry, in the template's order, and each number is put in its column by its horizontal place on
the line, measured against the lines of the same page that print all seven values. Where the place
cannot decide, the identities (A2 per row, A1 and A3 over the table, A4 for 表四) keep the
placements a consistent table allows, as archive/glued.py does with glued digits: a cell is read
only when every placement left agrees on it, otherwise it is unknown and the report flagged.

The same reading serves PDF→markdown conversions (pymupdf4llm, markitdown): a table row that keeps
every column places its cells by their order, blanks included; a row whose cells ran together, or
a plain line of single spaces, has lost where its blanks were, and only the identities place it.
It is tried only when the text by labels left 表三 or 表四 incomplete (archive.engine.read_text).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations, product

from . import glued, schema
from .labels import Value, read_value
from .report import ParsedReport

_TOKEN = re.compile(r"\S+")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?")  # `011` is two cells run together, not 11
_T3_START = re.compile(r"收到和处理政府信息公开申请")
_T4_HEAD = re.compile(r"行政复议[、，,和及]?行政诉讼")
_T4_END = re.compile(r"^[五六七八]、|存在的主要问题")
_RESULTS = "三、本年度办理结果"
_APPLICANTS = tuple(k for k, _ in schema.APPLICANT_COLUMNS)
_REVIEW_CELLS = tuple((g, c) for g, _ in schema.REVIEW_ROWS for c, _ in schema.REVIEW_COLUMNS)
TOLERANCE = 1  # characters a value may sit off its column on a line of the same block
BLANK = None  # a cell with nothing printed: a column the line skips


def _norm(text: str) -> str:
    """NFKC, no spaces, no quotation marks (a converter may set “ apart from the words it opens)."""
    return re.sub(r"[\s\"'“”‘’]+", "", unicodedata.normalize("NFKC", text))


def _flat(line) -> str:
    """A line's words run together, a markdown row's cell borders dropped (a heading split over
    two cells is still one heading)."""
    return _norm(line.text.replace("|", ""))


@dataclass
class Line:
    index: int
    page: int
    text: str
    label: list[str]  # the words before the first number, normalised
    nums: list[tuple[int, str]]  # (character offset, number) in order
    clean: bool  # nothing but numbers after the first number
    spaced: bool = False  # laid out by position (a run of spaces): offsets say where a value sits
    cells: list[str] | None = None  # a markdown table row's cells (an empty one is a blank)


_PIPE_RULE = re.compile(r"^\|?\s*:?-{2,}")
_BR = re.compile(r"<br\s*/?>", re.I)
_SPACED = re.compile(r"\S {2,}\S")


def _tokens(line: str) -> tuple[list[str], list[tuple[int, str]], bool]:
    label, nums, clean = [], [], True
    for m in _TOKEN.finditer(line):
        if _NUMBER.fullmatch(m.group()):
            nums.append((m.start(), m.group()))
        elif nums:
            clean = False
        else:
            label.append(_norm(m.group()))
    return label, nums, clean


def layout_lines(text: str) -> list[Line]:
    """Every line of the text with its label words and its numbers. A markdown table row keeps its
    cells; text broken by `<br>` outside a table is one line per piece (no positions)."""
    out, page = [], 0
    for i, raw in enumerate(text.split("\n")):
        page += raw.count("\f")
        line = raw.replace("\f", "")
        body = line.strip()
        if body.startswith("|") and body.endswith("|") and len(body) > 1:
            if _PIPE_RULE.match(body):
                continue
            cells = [c.strip() for c in body[1:-1].split("|")]
            label, nums, clean = [], [], True
            for n, cell in enumerate(cells):
                for piece in _BR.split(cell):
                    words, numbers, ok = _tokens(piece)
                    if numbers:
                        nums += [(n, t) for _, t in numbers]
                        clean = clean and ok and not words
                    elif nums and words:
                        clean = False
                    else:
                        label += words
            out.append(Line(i, page, line, label, nums, clean, False, cells))
            continue
        pieces = _BR.split(line)
        for piece in pieces:
            label, nums, clean = _tokens(piece)
            out.append(Line(i, page, piece, label, nums, clean, len(pieces) == 1 and bool(_SPACED.search(piece))))
    return out


_FOLIO = re.compile(r"\s*(?:[-—–]\s*\d+\s*[-—–]|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|\d+)\s*")


def without_folios(lines: list[Line]) -> list[Line]:
    """The lines without the page numbers a dump prints at the top or foot of a page (`- 3 -`,
    `第3页`, `3/8`, a bare `3` set apart from the line above): they would read as a row of one
    value."""
    drop = set()
    by_page: dict[int, list[int]] = {}
    for n, ln in enumerate(lines):
        if ln.text.strip():
            by_page.setdefault(ln.page, []).append(n)
    for page, ns in by_page.items():
        for at, n in ((0, ns[0]), (len(ns) - 1, ns[-1])):
            line = lines[n]
            if line.cells is not None or not _FOLIO.fullmatch(line.text):
                continue
            above = lines[n - 1] if at and n else None
            if above is not None and line.nums and any(o == line.nums[0][0] for o, _ in above.nums):
                # Right under a number that starts where it starts: the tail of a value wrapped in
                # its cell (`12` over `7`); joined, the identities of its row still check it.
                continue
            drop.add(n)
    return [ln for n, ln in enumerate(lines) if n not in drop]


def fixed(line: Line, width: int) -> tuple[str | None, ...] | None:
    """The values of a markdown row whose last ``width`` cells each hold one number or nothing,
    and whose earlier cells hold none: every value in its column, blanks included."""
    if line.cells is None or len(line.cells) < width:
        return None
    head, tail = line.cells[:-width], line.cells[-width:]
    if any(_NUMBER.fullmatch(c) for c in head) or len(line.nums) != sum(1 for c in tail if c):
        return None
    if not all(c == "" or _NUMBER.fullmatch(c) for c in tail):
        return None
    return tuple(c if c else BLANK for c in tail)


# 表三: rows by their label fragments --------------------------------------------------------------
def application_rows(template: str, variant: str | None) -> list[str]:
    rows = [k for k, _, _ in schema.APPLICATION_ROWS]
    if template == "2019" or variant == "mixed":
        return [k for k in rows if k not in schema.OTHER_2021]
    return [k for k in rows if k != "other"]


def _context(key: str) -> str:
    """Every label text a line of this row may carry: its own label, its group's, and the
    （三）… heading's over the result rows (merged cells print their words on the first lines)."""
    label, group = schema.APPLICATION_ROW_LABELS[key], dict((k, g) for k, _, g in schema.APPLICATION_ROWS)[key]
    text = label
    if group:
        text = schema.GROUP_LABELS[group] + text
    if key in schema.RESULT_ROWS_2021 or key == "other":
        text = _RESULTS + text
    return _norm(text)


_CONTEXTS = {k: _context(k) for k, _, _ in schema.APPLICATION_ROWS}


def _fits(line: Line, key: str) -> bool:
    ctx = _CONTEXTS[key]
    return bool(line.label) and all(part in ctx for part in line.label)


def align(lines: list[Line], rows: list[str]) -> dict[str, Line] | None:
    """The one way to give each value line a row, in order, every line's label fragments part of
    its row's labels (a row may have no line: all its cells blank, or lost). None when there is
    no such way or more than one."""
    n, m = len(lines), len(rows)
    ways = [[0] * (m + 1) for _ in range(n + 1)]
    for j in range(m + 1):
        ways[n][j] = 1
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            w = ways[i][j + 1]
            if _fits(lines[i], rows[j]):
                w += ways[i + 1][j + 1]
            ways[i][j] = min(w, 2)
    if ways[0][0] != 1:
        return None
    out, i, j = {}, 0, 0
    while i < n:
        if _fits(lines[i], rows[j]) and ways[i + 1][j + 1]:
            out[rows[j]] = lines[i]
            i += 1
        j += 1
    return out


# Placing a line's numbers in columns -----------------------------------------------------------
def _marks(nums: list[tuple[int, str]]) -> dict[str, list[float]]:
    """Where each number sits, measured at its start, middle and end (the cells may be aligned
    left, centred or right)."""
    return {
        "start": [o for o, _ in nums],
        "middle": [o + len(t) / 2 for o, t in nums],
        "end": [o + len(t) for o, t in nums],
    }


def placements_by_position(line: Line, refs: list[Line], width: int) -> set[tuple[int, ...]]:
    """The columns of the line's numbers, read against lines of the same block that print all
    ``width`` values: each number within TOLERANCE of one reference column, in order."""
    out = set()
    mine = _marks(line.nums)
    for ref in refs:
        theirs = _marks(ref.nums)
        for mode, xs in mine.items():
            anchors = theirs[mode]
            cols = []
            for x in xs:
                near = [c for c, a in enumerate(anchors) if abs(a - x) <= TOLERANCE]
                if len(near) != 1:
                    break
                cols.append(near[0])
            else:
                if all(a < b for a, b in zip(cols, cols[1:])):
                    out.add(tuple(cols))
    return out


def join_wrapped(values: list[Line]) -> list[Line]:
    """Lines of value lines, a number wrapped in a narrow cell (`12` over `7`) joined again: a line
    of bare numbers each starting exactly where a number of the value line above starts continues
    those numbers. Any other line of bare numbers is kept (and makes the rows unclear)."""
    out: list[Line] = []
    for ln in values:
        prev = out[-1] if out else None
        starts = {o: n for n, (o, _) in enumerate(prev.nums)} if prev else {}
        if (prev and prev.spaced and ln.cells is None and not ln.label and ln.clean and all(o in starts for o, _ in ln.nums)
                and all(glued.is_cell(prev.nums[starts[o]][1] + t) for o, t in ln.nums)):
            nums = list(prev.nums)
            for o, t in ln.nums:
                n = starts[o]
                nums[n] = (o, nums[n][1] + t)
            out[-1] = Line(prev.index, prev.page, prev.text, prev.label, nums, prev.clean)
        else:
            out.append(ln)
    return out


def _printed(line: Line, cols: tuple[int, ...], width: int) -> tuple[str | None, ...]:
    cells: list[str | None] = [BLANK] * width
    for (_, text), c in zip(line.nums, cols):
        cells[c] = text
    return tuple(cells)


def _numeric(printed: tuple[str | None, ...]) -> tuple[str, ...]:
    return tuple("0" if p is BLANK else p for p in printed)


def _a2(printed) -> bool:
    v = [Decimal(x) for x in _numeric(printed)]
    return sum(v[:-1], Decimal(0)) == v[-1]


def _neighbours(lines: list[Line], line: Line, width: int) -> list[Line]:
    """The nearest full lines above and below ``line`` on the same page."""
    out = []
    at = next(n for n, ln in enumerate(lines) if ln.index == line.index)
    for step in (-1, 1):
        i = at + step
        while 0 <= i < len(lines) and lines[i].page == lines[at].page:
            if len(lines[i].nums) == width and lines[i].clean and lines[i].spaced:
                out.append(lines[i])
                break
            i += step
    return out


def read_applications(lines: list[Line], template: str, variant: str | None, report: ParsedReport) -> bool:
    """表三 from a layout dump into ``report``; False when its rows cannot be told apart."""
    start = next((i for i, ln in enumerate(lines) if _T3_START.search(_flat(ln))), None)
    if start is None:
        return False
    end = next((i for i in range(start + 1, len(lines)) if _T4_HEAD.search(_flat(lines[i]))), len(lines))
    region = lines[start + 1 : end]
    values = join_wrapped([ln for ln in region if ln.nums])
    if not values or any(not ln.label for ln in values):
        return False  # a line of bare numbers (a wrapped value, a page number): rows unclear
    rows = application_rows(template, variant)
    by_row = align(values, rows)
    if by_row is None:
        report.warnings.append("表三 by column position: the value lines do not match the rows one way")
        return False
    width = len(_APPLICANTS)
    cands: dict[str, list[tuple]] = {}
    loose: dict[str, list[tuple]] = {}
    for key, line in by_row.items():
        k = len(line.nums)
        exact = fixed(line, width)
        if exact is not None and _a2(exact):  # a row shifted by a cell breaks A2: placed as below
            cands[key] = loose[key] = [exact]
            continue
        if not line.clean or k > width:
            continue
        if k == width:
            cands[key] = loose[key] = [_printed(line, tuple(range(width)), width)]
            continue
        every = [_printed(line, cols, width) for cols in combinations(range(width), k)]
        every = [p for p in every if _a2(p)]  # none: a glued pair, or a source breaking A2
        near = set()
        if line.spaced:
            near = placements_by_position(line, _neighbours(region, line, width), width)
        if not every:
            report.warnings.append(f"applications.{key}: no place of {len(line.nums)} values satisfies A2: left unknown")
            continue
        placed = [p for p in (_printed(line, cols, width) for cols in sorted(near)) if p in every]
        cands[key] = placed or every
        loose[key] = every
    results = tuple(k for k in rows if k in schema.RESULT_ROWS_2019 + schema.RESULT_ROWS_2021)
    if not all(k in cands for k in results):
        results = ()  # A3 needs every result row: with one unknown it ties nothing
    kept = _resolve(cands, results) or _resolve(loose, results)
    if kept is None:
        report.warnings.append("表三 by column position: no placement of the values satisfies the identities")
        return False
    for key in rows:
        if key not in kept:
            continue
        for col, value in zip(_APPLICANTS, _agreed(kept[key])):
            if value is None:
                report.unknown_cells.append(f"applications.{key}.{col}")
            else:
                report.put("applications", key, col, value)
    return True


MAX_SUMS = 20000  # partial column sums kept while solving A3: beyond, A3 constrains nothing


def _resolve(cands: dict[str, list[tuple]], results: tuple[str, ...]) -> dict[str, list[tuple]] | None:
    """The placements A1 and A3 allow over the whole table, a blank counted as 0: for every
    choice of the four anchor rows (一, 二, （七）, 四) that satisfies A1, the result rows'
    placements that take part in some choice adding up to （七） column by column. None when no
    placement of the table satisfies them."""
    numeric = {k: sorted({_vector(p) for p in ps}) for k, ps in cands.items()}
    anchors = [k for k in ("new_received", "carried_over", "total_processed", "carried_forward") if k in cands]
    choices = list(product(*(numeric[k] for k in anchors)))
    if len(choices) > 2000:
        return None
    kept: dict[str, set] = {k: set() for k in cands}
    for choice in choices:
        a = dict(zip(anchors, choice))
        if len(a) == 4 and any(a["new_received"][c] + a["carried_over"][c] != a["total_processed"][c] + a["carried_forward"][c]
                               for c in range(len(_APPLICANTS))):
            continue
        if results and "total_processed" in a:
            feasible = _summing(([numeric[k] for k in results]), a["total_processed"])
            if feasible is None:
                continue
            for k, keep in zip(results, feasible):
                kept[k] |= keep
        else:
            for k in results:
                kept[k] |= set(numeric[k])
        for k, v in a.items():
            kept[k].add(v)
    for k in cands:
        if k not in anchors and k not in results:
            kept[k] = set(numeric[k])
    out = {k: [p for p in cands[k] if _vector(p) in kept[k]] for k in cands}
    if any(not ps for ps in out.values()):
        return None
    if not _consistent({k: ps[0] for k, ps in out.items() if len(ps) == 1}, results):
        return None
    return out


def _vector(printed) -> tuple[Decimal, ...]:
    return tuple(Decimal(x) for x in _numeric(printed))


def _summing(rows: list[list[tuple]], target: tuple) -> list[set] | None:
    """A3 as a vector subset-sum: per row, the vectors that are part of one choice per row adding
    up to ``target``. Counts are never negative, so a partial sum above the target is dropped.
    Vectors are packed into one integer, a field per column with a guard bit above it, so that
    adding is one addition and "not above the target" one subtraction and mask."""
    if any(x < 0 or x != int(x) for cands in rows for c in cands for x in c) or any(t != int(t) for t in target):
        return [set(c) for c in rows]  # negative or fractional counts: A3 unused
    bits = int(max(target, default=0)).bit_length() + 1
    field = bits + 1

    def pack(v):
        return sum(int(x) << (n * field) for n, x in enumerate(v))

    guard = sum(1 << (n * field + bits) for n in range(len(target)))
    top = pack(target)
    fenced = top + guard

    def fits(packed: int) -> bool:  # no column above the target
        return (fenced - packed) & guard == guard

    packed_rows = [{pack(c): c for c in cands if all(x <= t for x, t in zip(c, target))} for cands in rows]

    def sums(seq):
        out = [{0}]
        for cands in seq:
            nxt = {s + c for s in out[-1] for c in cands if fits(s + c)}
            if len(nxt) > MAX_SUMS:
                raise OverflowError
            out.append(nxt)
        return out

    try:
        fwd, bwd = sums(packed_rows), sums(packed_rows[::-1])[::-1]
    except OverflowError:
        return [set(c) for c in rows]
    if top not in fwd[-1]:
        return None
    out = []
    for i, cands in enumerate(packed_rows):
        back = bwd[i + 1]
        out.append({v for c, v in cands.items() if any(fits(s + c) and top - s - c in back for s in fwd[i])})
    return out


def _consistent(rows: dict[str, tuple], results: tuple[str, ...]) -> bool:
    """A1 and A3 hold over the rows read one way (the resolver falls back to fewer identities
    when no choice satisfies them all: that is not a reading to keep)."""
    num = {k: [Decimal(x) for x in _numeric(p)] for k, p in rows.items()}
    anchors = ("new_received", "carried_over", "total_processed", "carried_forward")
    for c in range(len(_APPLICANTS)):
        if all(a in num for a in anchors):
            a = [num[k][c] for k in anchors]
            if a[0] + a[1] != a[2] + a[3]:
                return False
        if results and "total_processed" in num and all(k in num for k in results):
            if sum((num[k][c] for k in results), Decimal(0)) != num["total_processed"][c]:
                return False
    return True


def _agreed(printed: list[tuple]) -> list[Value | None]:
    """Per column: the value every placement left agrees on. Placements that differ only in
    which of two cells is blank and which prints 0 agree on the number (0), not on the print."""
    out = []
    for cells in zip(*printed):
        nums = {Decimal("0") if c is BLANK else Decimal(c) for c in cells}
        if len(set(cells)) == 1:
            c = cells[0]
            out.append(Value(None, "", "blank") if c is BLANK else read_value(c))
        elif len(nums) == 1:
            out.append(Value(Decimal("0"), "0", "number"))
        else:
            out.append(None)
    return out


# 表四: one line of values under a header stacked a character a line -------------------------------
def read_reviews(lines: list[Line], report: ParsedReport) -> bool:
    start = next((i for i, ln in enumerate(lines) if _T4_HEAD.search(_flat(ln)) and "情况" in ln.text), None)
    if start is None:
        return False
    region = []
    for ln in lines[start + 1 :]:
        if _T4_END.search(_flat(ln)):
            break
        region.append(ln)
    values = join_wrapped([ln for ln in region if ln.nums])
    if len(values) != 1 or values[0].label or not values[0].clean or len(values[0].nums) > 15:
        return False  # values over several lines: not placed
    line = values[0]
    k = len(line.nums)
    exact = fixed(line, 15)
    every = [exact] if exact is not None and _a4(exact) else [
        p for p in (_printed(line, cols, 15) for cols in combinations(range(15), k)) if _a4(p)]
    header = [ln for ln in region if ln.index < line.index and len(ln.label) == 15 and all(len(t) == 1 for t in ln.label)]
    near = set()
    for ref in header[-1:] if line.spaced else []:
        ref_nums = Line(ref.index, ref.page, ref.text, [], [(m.start(), m.group()) for m in _TOKEN.finditer(ref.text)], True)
        near = placements_by_position(line, [ref_nums], 15) if k < 15 else {tuple(range(15))}
    placed = [p for p in (_printed(line, cols, 15) for cols in sorted(near)) if p in every]
    chosen = placed or every
    if not chosen:
        return False
    for (group, col), value in zip(_REVIEW_CELLS, _agreed(chosen)):
        if value is None:
            report.unknown_cells.append(f"reviews.{group}.{col}")
        else:
            report.put("reviews", group, col, value)
    return True


def _a4(printed) -> bool:
    v = [Decimal(x) for x in _numeric(printed)]
    return all(sum(v[g : g + 4], Decimal(0)) == v[g + 4] for g in (0, 5, 10))


# 表二: a row whose blank cells are missing from its line ------------------------------------------
_T2_START = re.compile(r"主动公开政府信息情况")


def read_active(lines: list[Line], template: str, rows: set[str], report: ParsedReport) -> list[str]:
    """The cells of 表二's ``rows`` (those the text by labels could not read), placed against the
    rows of the same block that print every column; a row printing nothing is blank. Returns the
    cells read. 表二 has no identity: a row whose place is not certain stays unknown."""
    start = next((i for i, ln in enumerate(lines) if _T2_START.search(_flat(ln))), None)
    end = next((i for i, ln in enumerate(lines) if _T3_START.search(_flat(ln))), None)
    if start is None or end is None or end < start:
        return []
    columns = schema.ACTIVE_2019 if template == "2019" else schema.ACTIVE_2021
    region = lines[start + 1 : end]
    kinds = []  # per line: "header", a row key, or None
    for ln in region:
        words = "".join(ln.label)
        if "信息内容" in words:
            kinds.append("header")
        else:
            kinds.append(schema.match_rule(words, schema.ACTIVE_ROW_RULES) if words else None)
    read = []
    for i, (ln, key) in enumerate(zip(region, kinds)):
        if key not in rows or key not in columns or not ln.clean:
            continue
        cols = columns[key]
        nxt = next((j for j in range(i + 1, len(region)) if kinds[j] is not None), len(region))
        if any(region[j].nums for j in range(i + 1, nxt)):
            continue  # values on the lines below the label: not this reading's
        top = max((j for j in range(i) if kinds[j] == "header"), default=-1)
        bottom = next((j for j in range(i + 1, len(region)) if kinds[j] == "header"), len(region))
        refs = [region[j] for j in range(top + 1, bottom)
                if kinds[j] in columns and len(columns[kinds[j]]) == len(cols) and len(region[j].nums) == len(cols)
                and region[j].clean]
        k = len(ln.nums)
        if k == len(cols):
            placed = {tuple(range(k))}
        elif k == 0:
            placed = {()}
        elif ln.spaced:
            placed = placements_by_position(ln, [r for r in refs if r.spaced], len(cols))
        else:
            continue
        if len(placed) != 1:
            continue
        for col, cell in zip(cols, _printed(ln, placed.pop(), len(cols))):
            report.put("active", key, col, Value(None, "", "blank") if cell is BLANK else read_value(cell))
            read.append(f"active.{key}.{col}")
    return read


_LAID_OUT = re.compile(r"\d {2,}\S|\S {2,}\d|\|")


def read_by_columns(text: str, by_labels: ParsedReport) -> ParsedReport | None:
    """A reading of 表三 and 表四 by column position, 表二 as the text reading ``by_labels`` read
    it; None when the text is not such a dump (no row of 表三 found that way)."""
    from .parse import finish

    if not _LAID_OUT.search(text):
        return None  # neither values set apart by runs of spaces nor table rows: nothing to place
    lines = without_folios(layout_lines(text))
    report = ParsedReport(source_format=by_labels.source_format)
    if not read_applications(lines, by_labels.template, by_labels.template_variant, report):
        return None
    tables = ["active"] + ([] if read_reviews(lines, report) else ["reviews"])
    missing = set(by_labels.missing_cells)
    for table in tables:
        if by_labels.tables.get(table):
            report.tables[table] = {r: dict(cols) for r, cols in by_labels.tables[table].items()}
        report.unknown_cells += [c for c in by_labels.unknown_cells if c.startswith(table + ".") and c not in missing]
    unread = {c.split(".")[1] for c in report.unknown_cells if c.startswith("active.")}
    got = set(read_active(lines, by_labels.template, unread, report))
    report.unknown_cells = [c for c in report.unknown_cells if c not in got]
    report.title, report.text = by_labels.title, by_labels.text
    finish(report)
    return report
