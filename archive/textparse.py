"""Reading the tables of a report from plain text, whatever layout the text came in.

The text layouts seen in the wild (PDF text layers with wrapped cells, tab-separated, markdown
pipe tables broken at page breaks, one cell per line, crawler dumps with no separator at all)
differ in how cells are separated, never in the order of what is printed. So the reader is a
*label-anchored stream*: it finds each known row label in reading order and reads the values
printed between that label and the next one. Which row a value belongs to comes from the label,
which column from its place among the values of that row in the official column order (the
header labels are checked, they cannot be laid out the same way in a stream). Where the values
of a row run together, archive.glued recovers the boundaries the identities allow.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from . import glued, schema
from .errors import ParseError
from .nfkc import nfkc
from .labels import UNITS, Value, read_value
from .simplified import to_simplified
from .report import ParsedReport

# Preparing the text ------------------------------------------------------------------------------
SEP = r"[\s|]*"  # what may stand between the characters of a printed label: spaces, breaks, pipes
# Whole lines to drop are matched from the line break before them (the text is searched with a
# break put in front): a pattern that starts with a literal is searched for at C speed, one
# anchored with (?m)^ is tried at every character.
_FOOTER = re.compile(r"\n[ \t]*(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?)[ \t]*(?=\n|\Z)")
# A markdown table rule `|----|--|---|`: only pipes, dashes, colons and spaces.
_MD_RULE = re.compile(r"\n[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|)+[ \t]*(?::?-+:?)?[ \t]*(?=\n|\Z)")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
# A markdown table's placeholder header (`| 列1 | 列2 | 列3 |`) that converters print over a
# table whose first row they could not take as a header.
# Each cell's spaces are matched at one place only: with a second [ \t]* after the optional
# placeholder, a line of many empty cells that is no placeholder row backtracked exponentially.
_MD_PLACEHOLDER = re.compile(r"\n[ \t]*\|(?:[ \t]*(?:(?:列|Column|col)[ \t]*\d+[ \t]*)?\|)+[ \t]*(?=\n|\Z)", re.I)
# 第二十条第（一）项: a block heading of 表二; its ordinal may be printed as a digit.
_ARTICLE = re.compile(r"第[\s|]*二[\s|]*十[\s|]*条[\s|]*第?[\s|]*[(（]?[\s|]*[\d一二三四五六七八九十]+[\s|]*[)）]?[\s|]*项")
_UNIT = re.compile(rf"(?<=\d)[\s|]*(?:{UNITS})")
# OCR reads 0 as O and 1 as l: a token of digits with such letters (`2O`, `24l`, `O`) among the
# values of a row is a number. Only whole tokens between separators, never letters in words.
_OCR_DIGITS = re.compile(r"(?<![^\s|])[0-9OolI]*[OolI][0-9OolI]*(?![^\s|件个项条笔宗次起份])")
_OCR_MAP = str.maketrans("OolI", "0011")
# A line break inside a markdown table cell (PDF→markdown converters print a wrapped label as
# `三、本<br>年度办<br>理结果`): between two characters of a label it joins them; next to a digit
# it separates, so that two values never run into one number.
_BR_IN_WORD = re.compile(r"(?<=[^\d\s|])<br\s*/?>(?=[^\d\s|<])", re.I)
_BR = re.compile(r"<br\s*/?>", re.I)


def prepare(text: str) -> str:
    """Text as a reader sees it: full-width forms folded (NFKC), simplified characters, and
    what is not part of the report removed: page footers such as `- 4 -`, markdown table rules,
    HTML comments leaked by Word. Line breaks and other separators are kept: they are the only
    cell boundaries some layouts have."""
    text = nfkc(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = to_simplified(text)
    if "<" in text:
        text = _BR.sub(" ", _BR_IN_WORD.sub("", _COMMENT.sub(" ", text)))
    text = _FOOTER.sub("\n", "\n" + text)
    if "|" in text:  # a markdown rule or placeholder header has pipes
        text = _MD_PLACEHOLDER.sub("\n", _MD_RULE.sub("\n", text))
    return text[1:]


@lru_cache(maxsize=None)
def fuzzy(words: str) -> re.Pattern:
    """A pattern for label words (`|` for alternatives) that allows separators between any two
    characters, since layouts break labels anywhere (`本年度办 理结果`, `公开出版` / `物`)."""
    return re.compile("|".join(SEP.join(map(re.escape, w)) for w in words.split("|")))


# Segments: the printed cells of a stretch of text --------------------------------------------
_TOKEN = re.compile(
    r"(?P<num>-?\d+(?:\.\d+)*)|(?P<dash>[—–―‐‑‒﹣\-/\\－─]+)|(?P<sep>[\s|,，;；]+)|(?P<text>[^\s|\d—–―‐‑‒﹣\-/\\－─,，;；]+)"
)


# A number printed with thousands separators (`1,795`, `3,985,758`): one cell, its commas no
# separators between cells (a group of exactly three digits after each comma).
_THOUSANDS = re.compile(r"(?<![\d,.])\d{1,3}(?:,\d{3})+(?![\d,]|\.\d)")


_SIGN_WORD = re.compile(r"(?:增加|减少|增|减)(?=\d)")


def _as_values(region: str) -> str:
    """A stretch of a row as its values are read: OCR's O/l as digits, units gone, thousands
    separators dropped, 减12 as −12 and 增5 as 5."""
    if "O" in region or "l" in region or "o" in region or "I" in region:
        region = _OCR_DIGITS.sub(lambda m: m.group().translate(_OCR_MAP), region)
    region = _UNIT.sub(" ", region)
    if "," in region:
        region = _THOUSANDS.sub(lambda m: m.group().replace(",", ""), region)
    if "增" in region or "减" in region:  # 本年增/减 in words
        region = _SIGN_WORD.sub(lambda m: " -" if m.group().startswith("减") else " ", region)
    return region


def segments(region: str) -> list[str]:
    """The runs of number characters in ``region`` up to the first text after them. A dash or
    slash on its own is a printed blank (glued.DASH); text before the numbers is the rest of a
    wrapped label and is skipped."""
    out: list[str] = []
    for m in _TOKEN.finditer(_as_values(region)):
        kind = m.lastgroup
        if kind == "num":
            out.append(m.group())
        elif kind == "dash" or (kind == "text" and m.group() == "无"):
            out.append(glued.DASH)  # a printed blank: a dash, a slash or 无
        elif kind == "text" and out:
            break
    return out


# Pipe tables: cells that a markdown row prints, blanks included ------------------------------
_PIPE_LINE = re.compile(r"^[ \t]*\|", re.M)


_TWO_NUMBERS = re.compile(r"\d\s+\d")
_UNIT_CELL = re.compile(r"万元|元|件|个|项|条|笔|宗|人次|次|起|份")


def pipe_cells(region: str) -> list[str] | None:
    """The value cells of a markdown row, read from the cell after its label: the row's cells
    (and those of a continuation line holding only values), each a number or glued.DASH for a
    blank. None when the region is not a pipe row or a cell is not a value (the stream reader
    takes it then)."""
    if "|" not in region:
        return None
    lines = region.split("\n")
    first = lines[0]
    if "|" not in first:
        return None
    out: list[str] = []
    rows = 0
    for i, line in enumerate(lines):
        if i == 0:
            # A converter that wraps the label cell can leave the row's first value in it, after
            # the label (`|行政许可<br>0|-7|0|`): that value is the first cell, never dropped.
            head = first[: first.index("|")]
            lead = head.strip() and read_value(head)
            body = "|" + first.lstrip() if lead and lead.status == "number" and not _TWO_NUMBERS.search(head) \
                else first[first.index("|") :]
        elif not line.strip():
            continue
        elif _PIPE_LINE.match(line):
            body = line
        else:
            break
        stripped = body.strip()
        if i == len(lines) - 1 and i > 0 and not stripped.endswith("|"):
            break  # the start of the next labelled row
        # One pipe off each end: `||1|5|` is a blank cell, then 1 and 5.
        inner = stripped[1:] if stripped.startswith("|") else stripped
        inner = inner[:-1] if inner.endswith("|") else inner
        cells = inner.split("|") if stripped not in ("|", "") else []
        if i == 0 and not stripped.endswith("|"):
            cells = cells[:-1]  # the next label follows on this line: its cell is not a value
        values = []
        if i == 0:
            # A 计量单位 column: 件 (or 个, 项…) between the label and the values.
            unit = next((j for j, c in enumerate(cells) if c.strip()), None)
            if unit is not None and _UNIT_CELL.fullmatch(cells[unit].strip()):
                cells = cells[unit + 1:]  # (with the empty cells of a label's span before it)
        for cell in cells:
            if _TWO_NUMBERS.search(cell):
                values = None  # two rows' values in one cell (`0<br>51`): not one number
                break
            v = read_value(cell)
            if v.status == "number":
                values.append(str(v.number))
            elif v.status in ("blank", "dash"):
                values.append(glued.DASH)
            elif values and i == 0:
                # Words after the row's values (已办结, 12.5%, 增加3件): the row's cells end there;
                # the stream reader, which cannot see the empty cells, is not asked.
                return values
            else:
                values = None
                break
        if values is None:
            if i == 0:
                return None
            break
        out += values
        rows += 1
    return out if rows else None


def pipe_candidates(cells: list[str], n: int) -> list[tuple[str, ...]]:
    """The readings of a pipe row's cells as ``n`` columns: a label spanning several columns
    or a shifted row leaves blank cells at either end; every window of ``n`` cells whose cut
    cells are all blank is a candidate (the identities choose among them)."""
    extra = len(cells) - n
    if extra < 0:
        return []
    out = []
    for o in range(extra + 1):
        if all(c == glued.DASH for c in cells[:o]) and all(c == glued.DASH for c in cells[o + n :]):
            cand = tuple(cells[o : o + n])
            if cand not in out:
                out.append(cand)
    return out


def blank_drops(cells: list[str], n: int, ok) -> list[tuple[str, ...]]:
    """The readings of a pipe row with more cells than columns when a converter added empty
    columns inside the row too (LibreOffice's HTML keeps the column grid of the page, so a value
    row may carry an empty cell in the middle): every way to drop blank cells anywhere, kept
    when ``ok`` (the table's identities, a blank counted 0) holds. Readings that disagree leave
    their cells unknown (glued.agreed)."""
    from itertools import combinations

    blanks = [i for i, c in enumerate(cells) if c == glued.DASH]
    extra = len(cells) - n
    if extra <= 0 or extra > 4 or len(blanks) > 24:
        return []
    out = []
    for drop in combinations(blanks, extra):
        cand = tuple(c for i, c in enumerate(cells) if i not in drop)
        if cand not in out and ok(cand):
            out.append(cand)
    return out


def review_sums(cand: tuple[str, ...]) -> bool:
    """A4 with blanks counted 0: each group's 总计 is the sum of its four outcomes."""
    v = [Decimal(0) if c == glued.DASH else Decimal(c) for c in cand]
    return all(sum(v[g : g + 4]) == v[g + 4] for g in range(0, len(v), 5))


@dataclass
class Cells:
    """The cells of one row: the values when certain, else None where the split is unknown."""

    cands: list[tuple[str, ...]]
    segs: list[str]

    @property
    def unreadable(self) -> bool:
        return not self.cands


def row_cells(segs: list[str], n: int, may_split: bool = True, prune=None, splitter=None) -> Cells:
    """The candidate readings of a row's segments as ``n`` cells (one when they are plain).

    In a layout that separates its cells, a row with fewer values than columns has blank cells,
    not glued ones, and which column is blank cannot be told from a stream: it is unreadable
    rather than split."""
    if len(segs) == n and all(glued.is_cell(s) for s in segs):
        return Cells([tuple(segs)], segs)
    if not may_split:
        return Cells([], segs)
    try:
        if splitter is not None:
            return Cells(splitter(segs), segs)
        cands = glued.row_splits(segs, n, prune)
        if not cands and prune is not None:
            # The printed row breaks its own identity: the identity cannot choose a split.
            cands = glued.row_splits(segs, n)
    except glued.TooMany:
        return Cells([], segs)
    return Cells(cands, segs)


def runs_together(rows: list[list[str]], n: int) -> bool:
    """Whether the layout glues cells: most rows print fewer separate values than columns."""
    short = sum(1 for segs in rows if len(segs) < n)
    return short > len(rows) - short


def put_row(report: ParsedReport, table: str, row: str, cols: list[str], cells: Cells) -> None:
    """Store the cells every candidate agrees on; the others are unknown, never guessed."""
    if cells.unreadable:
        report.warnings.append(f"{table}.{row}: cannot read {''.join(cells.segs)!r} as {len(cols)} cells")
        report.unknown_cells.extend(f"{table}.{row}.{c}" for c in cols)
        return
    cands = cells.cands
    known = []
    for col, cell in zip(cols, cands[0] if len(cands) == 1 else glued.agreed(cands, len(cols))):
        if cell is None:
            report.unknown_cells.append(f"{table}.{row}.{col}")
        else:
            known.append((col, _DASH if cell == glued.DASH else read_value(cell)))
    if known:
        report.put_all(table, row, known)
    if len(cells.cands) > 1:
        report.warnings.append(
            f"{table}.{row}: {''.join(cells.segs)!r} splits {len(cells.cands)} ways; cells on which they differ left unknown"
        )


# 表三 ------------------------------------------------------------------------------------------
# (key, label words, ordinal printed before the label, optional): in printed order. The words
# include the first characters of each label, so that a label broken by a page break
# (`要求提供公开出版` / `物`) is still found by its head.
APPLICATION_STREAM = (
    ("new_received", "本年新收", None, False),
    ("carried_over", "上年结转", None, False),
    ("granted", "予以公开", None, False),
    ("partial", "部分公开", None, False),
    ("denied_state_secret", "属于国家|国家秘密", 1, False),
    ("denied_law_prohibited", "其他法律|法规禁止|行政止公开", 2, False),
    ("denied_three_security", "危及|三安全", 3, False),
    ("denied_third_party", "保护第三|第三方", 4, False),
    ("denied_internal_affairs", "三类内部|内部事务", 5, False),
    ("denied_process_info", "四类过程|过程性", 6, False),
    ("denied_enforcement_file", "行政执法|执法案卷", 7, False),
    ("denied_query_matter", "行政查询|查询事项", 8, False),
    ("unavailable_not_held", "本机关不|不掌握", 1, False),
    ("unavailable_needs_creation", "没有现成|另行制作", 2, False),
    ("unavailable_unclear", "补正后|仍不明确", 3, False),
    ("unprocessed_petition", "信访", 1, False),
    ("unprocessed_repeat", "重复申", 2, False),
    ("unprocessed_publication", "要求提供公开|公开出版|出版物", 3, False),
    ("unprocessed_excessive", "无正当理由大量|大量反复", 4, False),
    ("unprocessed_confirmation", "要求行政机关确认|重新出具|确认", 5, False),
    ("other", "其他处理", None, True),
    ("other_no_correction", "申请人无|无正当理由|逾期不补正|不补正", 1, True),
    ("other_no_fee", "申请人逾期未按|缴纳费用|收费通知", 2, True),
    ("other_misc", "3.其他|3、其他|3,其他|3,其他", None, True),
    ("total_processed", "总计", None, False),
    ("carried_forward", "结转下年|下年度继续", None, False),
)
APPLICANT_KEYS = tuple(k for k, _ in schema.APPLICANT_COLUMNS)
MAX_GAP = 2500  # characters between two row labels: wrapped labels, values, a page break
# `5.属于三类内部事务`: the ordinal, its dot, and up to six label characters before the words.
_ORDINAL_BEFORE = re.compile(r"(\d)[\s|]*[.、,，][\s|]*(?:[^\d\s|][\s|]*){0,6}$")


@dataclass
class Label:
    key: str
    start: int  # where the label (with its ordinal) starts
    end: int  # where its words end: the values follow


def _find_label(text: str, words: str, ordinal: int | None, pos: int, limit: int) -> Label | None:
    m = fuzzy(words).search(text, pos, limit)
    if not m:
        return None
    start = m.start()
    if ordinal is not None:
        # `2.其他法律…`: the ordinal belongs to this label, not to the values before it.
        o = _ORDINAL_BEFORE.search(text, max(pos, start - 24), start)
        if o and int(o.group(1)) == ordinal:
            start = o.start()
    return Label("", start, m.end())


def _table3_start(text: str) -> int | None:
    """The 一、本年新收 row that starts 表三: followed closely by 二、上年结转."""
    for m in fuzzy("本年新收").finditer(text):
        if fuzzy("上年结转").search(text, m.end(), m.end() + 400):
            return m.start()
    return None


_TOTAL_WORDS = next(r[1] for r in APPLICATION_STREAM if r[0] == "total_processed")


def find_application_labels(text: str, start: int) -> list[Label]:
    labels: list[Label] = []
    pos = start
    for key, words, ordinal, optional in APPLICATION_STREAM:
        limit = min(len(text), pos + MAX_GAP)
        if optional:
            bound = _find_label(text, _TOTAL_WORDS, None, pos, limit)
            limit = bound.start if bound else pos
            if key == "other_misc" and (not labels or labels[-1].key != "other_no_fee"):
                continue
        found = _find_label(text, words, ordinal, pos, limit)
        if found is None:
            continue
        found.key = key
        labels.append(found)
        pos = found.end
    return labels


def read_applications(text: str, report: ParsedReport, start: int | None) -> tuple[int | None, bool]:
    """表三 from ``start`` (where _table3_start found it); returns where it ends (for 表四), or
    None when the text has no such table, and whether the layout runs cells together."""
    if start is None:
        return None, False
    header = text[max(0, start - 600) : start]
    if not (fuzzy("自然人").search(header) and fuzzy("总计").search(header)):
        report.warnings.append("表三: applicant column header not recognised")
        return None, False
    labels = find_application_labels(text, start)
    # Columns of last year's figures named after 总计 (上年总计 | 同比增减): a pipe row's first
    # seven cells are this year's, its cells after them theirs.
    compared = len(_AFTER_TOTAL.findall(header[header.rfind("总计"):].split("\n", 1)[0])) if "总计" in header else 0
    keys = {lab.key for lab in labels}
    if not {"new_received", "carried_over", "total_processed"} <= keys:
        report.warnings.append("表三: row labels not found in order")
        return None, False
    end = _table3_end(text, labels[-1].end)
    printed = {}
    piped: dict[str, Cells] = {}
    pipe_rows = 0  # rows printed as pipe rows, read as such or not
    for lab, nxt in zip(labels, labels[1:] + [Label("", end, end)]):
        region = text[lab.end : nxt.start]
        pc = pipe_cells(region)
        pipe_rows += "|" in region.split("\n", 1)[0]
        if pc is not None:
            if pc:  # a pipe row shows its blank cells: no split to guess
                cands = pipe_candidates(pc, len(APPLICANT_KEYS))
                if len(pc) > len(APPLICANT_KEYS):
                    # Cells beyond the seven (a label's span, or last year's figures after 总计):
                    # a window is this row only if its 总计 is the sum of the six (A2).
                    if compared and len(pc) <= len(APPLICANT_KEYS) + compared:
                        cands = [tuple(pc[: len(APPLICANT_KEYS)])]
                    cands = [c for c in cands if _row_total_holds(c)]
                piped[lab.key] = Cells(cands, pc)
            continue
        segs = segments(region)
        if segs:  # a label with no values is a group heading such as （六）其他处理
            printed[lab.key] = segs
    # A table whose rows are pipe rows separates its cells: a row read otherwise is never split.
    # (A pipe row whose cells are not all values, a 件 or a 12.5% among them, still separates
    # its cells: its empty cells are blanks the stream reader cannot see.)
    glued_layout = runs_together(list(printed.values()), len(APPLICANT_KEYS)) if (
        printed and not piped and pipe_rows * 2 < len(labels)) else False
    if glued_layout and values_broken_over_lines(text, labels, end):
        # Line breaks between a row's values: the cells are separated (a PDF text layer, a cell
        # per line), and a short row lost its blank cells (empty cells print nothing); splitting
        # its digits would misplace them.
        glued_layout = False
    rows: dict[str, Cells] = {}
    for key in [lab.key for lab in labels]:
        if key in piped:
            rows[key] = piped[key]
        elif key in printed:
            rows[key] = row_cells(printed[key], len(APPLICANT_KEYS), glued_layout, splitter=glued.applicant_splits)
    if "other" in rows and any(k in rows for k in schema.OTHER_2021):
        # （六）其他处理 with values of its own and the 2021 sub-rows under it: a sub-row's label
        # broken by a page after its values left them under the heading. Which row they are
        # cannot be told: the sub-rows stay unknown.
        report.warnings.append("表三: （六）其他处理 printed values above its 2021 sub-rows: those rows left unknown")
        del rows["other"]
        for k in schema.OTHER_2021:
            if k in rows:
                rows[k] = Cells([], rows[k].segs)
    results = schema.RESULT_ROWS_2021 if any(k in rows for k in schema.OTHER_2021) else schema.RESULT_ROWS_2019
    readable = {k: c.cands for k, c in rows.items() if not c.unreadable}
    resolved = glued.resolve_applications(readable, results)
    for key, cells in rows.items():
        if key in resolved:
            cells.cands = resolved[key]
        put_row(report, "applications", key, list(APPLICANT_KEYS), cells)
    return end, glued_layout


_AFTER_TOTAL = re.compile(r"\|[ \t]*(?:上年|上一年|去年|同期|同比|增减|比上年|(?:19|20)\d\d年)[^|\n]*")


def _row_total_holds(cells: tuple[str, ...]) -> bool:
    nums = [Decimal(0) if c == glued.DASH else Decimal(c) for c in cells]
    return sum(nums[:-1]) == nums[-1]


def values_broken_over_lines(text: str, labels: list[Label], end: int) -> bool:
    """Whether the rows of 表三 break their values over lines: in most rows that print several
    values, a line break stands between two of them (a PDF text layer, a cell per line). A
    crawler dump that runs cells together prints a row on one line."""
    multi = broken = 0
    for lab, nxt in zip(labels, labels[1:] + [Label("", end, end)]):
        region = text[lab.end : nxt.start]
        if "\n" not in region.strip():
            if len(segments(region)) > 1:
                multi += 1
            continue
        lines = [n for n in (len(segments(line)) for line in region.split("\n")) if n]
        if sum(lines) > 1:
            multi += 1
            broken += len(lines) > 1
    return multi > 0 and 2 * broken > multi


def _table3_end(text: str, pos: int) -> int:
    m = fuzzy("行政复议").search(text, pos, pos + 3000)
    return m.start() if m else min(len(text), pos + 400)


# 表四 ------------------------------------------------------------------------------------------
_BLANKS_ONLY = re.compile(r"[\s|—–―‐‑‒﹣\-/\\－─无]*")
REVIEW_KEYS = tuple((g, c) for g, _ in schema.REVIEW_ROWS for c, _ in schema.REVIEW_COLUMNS)
_FIRST_DIGIT = re.compile(r"-?\d")


def read_reviews(text: str, report: ParsedReport, pos: int, may_split: bool = True) -> None:
    """表四: the header labels, then one row of 15 values in the official order."""
    head = fuzzy("行政复议").search(text, pos, pos + 3000)
    if not head:
        return
    first = _FIRST_DIGIT.search(text, head.end(), head.end() + 1500)
    if not first:
        return
    header = text[head.start() : first.start()]
    if not all(fuzzy(w).search(header) for w in ("维持", "纠正", "审结", "行政诉讼")):
        report.warnings.append("表四: header not recognised")
        return
    line_start = text.rfind("\n", 0, first.start()) + 1
    line_end = text.find("\n", first.start())
    numbering = segments(text[line_start : line_end if line_end >= 0 else len(text)])
    if len(numbering) >= 5 and numbering == [str(i) for i in range(1, len(numbering) + 1)]:
        # A row numbering the columns (栏次 1 2 3 … 15) under the header: the values follow it.
        first = _FIRST_DIGIT.search(text, line_end, line_end + 1500) if line_end >= 0 else None
        if not first:
            return
        line_start = text.rfind("\n", 0, first.start()) + 1
    pc = pipe_cells(text[line_start : first.start() + 400]) if _PIPE_LINE.match(text, line_start) else None
    if pc is not None:
        segs = pc
        cands = pipe_candidates(pc, len(REVIEW_KEYS))
        if len(pc) > len(REVIEW_KEYS):
            # Extra cells: a blank may have been added anywhere, not only at the ends.
            # (A window is the row only if its totals hold, A4: a 合计 after the fifteen is not.)
            cands = blank_drops(pc, len(REVIEW_KEYS), review_sums) or [c for c in cands if review_sums(c)]
            totals = _GROUP_TOTALS.search(header)
            if not cands and totals and len(pc) == len(REVIEW_KEYS) + totals.group().count("|"):
                # 行政复议 | 行政诉讼 | 合计: the groups' total after the fifteen cells.
                cands = [c for c in [tuple(pc[: len(REVIEW_KEYS)])] if review_sums(c)]
        cells = Cells(cands, pc)
    else:
        # Blanks printed before the first digit (`无 无 0 …`, `— — 3 …`) are cells of the row.
        start = line_start if _BLANKS_ONLY.fullmatch(text, line_start, first.start()) else first.start()
        segs = segments(text[start : first.start() + 400])
        cells = row_cells(segs, len(REVIEW_KEYS), may_split, splitter=glued.review_splits)
    if _another_value_row(text, line_start):
        # 本年度 and 上年度 rows (or rows no label tells apart): the text cannot say which row is
        # this year's (the grids may; see tables.read_reviews).
        report.warnings.append("表四: more than one row of values: not read from the text")
        report.unknown_cells.extend(f"reviews.{g}.{c}" for g, c in REVIEW_KEYS)
        return
    if cells.unreadable:
        report.warnings.append(f"reviews: cannot read {''.join(segs)!r} as 15 cells")
        report.unknown_cells.extend(f"reviews.{g}.{c}" for g, c in REVIEW_KEYS)
        return
    for (group, col), cell in zip(REVIEW_KEYS, glued.agreed(cells.cands, len(REVIEW_KEYS))):
        if cell is None:
            report.unknown_cells.append(f"reviews.{group}.{col}")
        else:
            report.put("reviews", group, col, _value(cell))
    if len(cells.cands) > 1:
        report.warnings.append(f"reviews: {''.join(segs)!r} splits {len(cells.cands)} ways")


_GROUP_TOTALS = re.compile(r"行政诉讼[ \t]*(?:\|[ \t]*(?:合计|总计|小计)[ \t]*)+(?=\||\n|$)")
_SECTION_FIVE = re.compile(r"五[、.．]|存在的主要问题")


def _another_value_row(text: str, start: int) -> bool:
    """Whether a second run of five or more values (numbers or blanks, nothing but separators
    between them) follows the run of 表四's values that starts at ``start``, before section 五."""
    end = _SECTION_FIVE.search(text, start, start + 1500)
    region = _as_values(text[start : end.start() if end else start + 1500])
    runs, run, seen_values = [], 0, False
    for m in _TOKEN.finditer(region):
        kind = m.lastgroup
        if kind == "sep":
            continue
        if kind == "num" or kind == "dash" or m.group() == "无":
            run += 1
            seen_values = True
        elif seen_values:
            runs.append(run)
            run = 0
    runs.append(run)
    runs = [r for r in runs if r]
    return len(runs) > 1 and max(runs[1:]) >= 5


_DASH = Value(None, "—", "dash")


def _value(cell: str) -> Value:
    return _DASH if cell == glued.DASH else read_value(cell)


# 表二 ------------------------------------------------------------------------------------------
ACTIVE_ROW_WORDS = (
    ("normative_docs", "规范性文件"),
    ("rules", "规章"),
    ("licensing", "行政许可"),
    ("other_services", "其他对外管理服务事项|对外管理服务"),
    ("punishment", "行政处罚"),
    ("enforcement", "行政强制"),
    ("fees", "行政事业性收费|事业性收费"),
    ("procurement", "政府集中采购|集中采购"),
)
# Header words in the order they are tried at one place: the longer first, so that
# 上一年项目数量 is one column and not 上一年 + 项目数量.
ACTIVE_COLUMN_WORDS = (
    ("previous", "上一年项目数量|上一年项目数|上一年"),
    ("projects", "采购项目数量|项目数量"),
    ("issued", "制发"),
    ("abolished", "废止"),
    ("in_force", "现行有效"),
    ("made", "新制作"),
    ("published", "新公开"),
    ("total_published", "公开总数"),
    ("change", "增/减|增减|增/减"),
    ("decisions", "处理决定"),
    ("amount", "金额"),
)


# The column sets a block of 表二 can print (2021, 2019; a 2019 表二 of some provinces adds
# 处理决定数量 to 上一年项目数量 and 本年增/减).
ACTIVE_BLOCKS = {
    ("issued", "abolished", "in_force"), ("decisions",), ("amount",),
    ("made", "published", "total_published"), ("previous", "change", "decisions"), ("previous", "change"),
    ("projects", "amount"),
}


@lru_cache(maxsize=None)
def _alternation(table: tuple) -> re.Pattern:
    parts = [f"(?P<{key}>{fuzzy(words).pattern})" for key, words in table]
    return re.compile("|".join(parts))


def read_active(text: str, report: ParsedReport, end: int, may_split: bool = True) -> None:
    """表二: blocks of a header row (信息内容 + column labels) and rows labelled 规章, 行政许可…"""
    start = _active_start(text, end)
    if start is None:
        return
    rows = _alternation(ACTIVE_ROW_WORDS)
    heads = fuzzy("信息内容")
    cols: list[str] = []
    slots = None
    pos = start
    while pos < end:
        h = heads.search(text, pos, end)
        r = rows.search(text, pos, end)
        if h and (not r or h.start() < r.start()):
            nr = rows.search(text, h.end(), end)
            cols = _header_columns(text[h.end() : nr.start() if nr else end])
            if tuple(cols) not in ACTIVE_BLOCKS:
                # Not one block's header (a text read column by column runs the headers of
                # all blocks together): its rows cannot be told apart, they stay unknown.
                report.warnings.append(f"表二: header {'|'.join(cols) or '(none)'} is no block's: rows under it not read")
                cols = []
            slots = _header_slots(text[h.end() : nr.start() if nr else end], cols)
            pos = nr.start() if nr else end
            continue
        if not r:
            break
        nxt = [m.start() for m in (heads.search(text, r.end(), end), rows.search(text, r.end(), end)) if m]
        stop = min(nxt) if nxt else end
        if cols:
            region = text[r.end() : stop]
            pc = pipe_cells(region)
            if pc is not None and slots and len(pc) == len(slots):
                # A pipe row as wide as its pipe header: each value under its header cell.
                cells = Cells([tuple(pc[slots.index(c)] for c in cols)], pc)
            elif pc is not None:
                cells = Cells(pipe_candidates(pc, len(cols)), pc)
            else:
                cells = row_cells(segments(_ARTICLE.sub("\n§\n", region)), len(cols), may_split)
            if len(cells.cands) > 1:
                pin_by_narrative(cells, r.lastgroup, cols, text[:start], report)
            put_row(report, "active", r.lastgroup, cols, cells)
        pos = stop


# Narrative restatements: 「制发规范性文件88件」「现行有效行政规范性文件698件」 pin the cells of a row
# whose digits ran together (`8855698` = 88|55|698).
_PIN_ROWS = {"rules": "规章", "normative_docs": "规范性文件"}
_PIN_COLUMNS = {
    "issued": "制发|印发|出台", "abolished": "废止", "in_force": "现行有效",
    "made": "新制作|制作", "published": "新公开", "total_published": "公开总数|累计公开",
}
_PIN_NUMBER = re.compile(r"[^\d。；;，,]{0,6}?(\d+)\s*(?:件|个|部|项)")


def narrative_pins(narrative: str, row: str) -> list[tuple[str | None, str]]:
    """(column or None, number) for each restatement of a 表二 row's figures in the prose: the
    row's word followed closely by a count (`…规范性文件88件`), the column named by a word just
    before (`制发`, `现行有效`) when there is one."""
    word = _PIN_ROWS.get(row)
    if not word:
        return []
    pins = []
    for m in fuzzy(word).finditer(narrative):
        n = _PIN_NUMBER.match(narrative, m.end())
        if not n:
            continue
        before = narrative[max(0, m.start() - 8) : m.start()]
        col = next((c for c, words in _PIN_COLUMNS.items() if re.search(words, before)), None)
        pins.append((col, n.group(1)))
    return pins


def pin_by_narrative(cells: Cells, row: str, cols: list[str], narrative: str, report: ParsedReport) -> None:
    """Keep the one split of a glued row that agrees with every restatement of its figures in
    the narrative; when none or several do, nothing is pinned (the cells stay unknown). A
    restatement that names no column pins a number of two digits or more somewhere in the row."""
    pins = [(c, v) for c, v in narrative_pins(narrative, row) if c is None and len(v) >= 2 or c in cols]
    if not pins:
        return
    keep = [cand for cand in cells.cands
            if all((cand[cols.index(c)] == v) if c else (v in cand) for c, v in pins)]
    if len(keep) == 1:
        report.warnings.append(f"active.{row}: {''.join(cells.segs)!r} pinned by the narrative ({pins})")
        cells.cands = keep


def _active_start(text: str, end: int) -> int | None:
    """The first 信息内容 that heads a block of 表二 columns (and not one in the narrative)."""
    cols = _alternation(ACTIVE_COLUMN_WORDS)
    for m in fuzzy("信息内容").finditer(text, 0, end):
        if cols.search(text, m.end(), m.end() + 40):
            return m.start()
    return None


def _header_slots(header: str, cols: list[str]) -> list[str | None] | None:
    """For a pipe header row (`| 信息内容 | 采购项目数量 | 采购总金额 |  |`), the column of each
    cell after 信息内容, None for an empty one; None when the header is not one pipe row that
    names each column once."""
    line = header.split("\n", 1)[0]
    if "|" not in line:
        return None
    texts = [t.strip() for t in line[line.index("|") :].strip().strip("|").split("|")]
    slots = []
    for t in texts:
        found = _header_columns(t)
        if len(found) > 1:
            return None
        slots.append(found[0] if found else None)
    return slots if [c for c in slots if c] == cols else None


def _header_columns(header: str) -> list[str]:
    out: list[str] = []
    for m in _alternation(ACTIVE_COLUMN_WORDS).finditer(header):
        if not out or out[-1] != m.lastgroup:
            out.append(m.lastgroup)
    return out


# The document ----------------------------------------------------------------------------------
_META_TITLE = re.compile(r"(?m)^\s*(?:标题|题目|title)\s*[:：]\s*(.+?)\s*$", re.I)
_YEAR_IN = re.compile(r"(?:19|20)\d{2}\s*年|[〇○零一二][〇○零一二三四五六七八九]{3}年")


def find_title(text: str) -> str:
    """The title: a metadata header line (`标题: …`), else the first lines up to 报告, joined
    (PDF and DOCX text break long titles: `…工作年` / `度报告`)."""
    m = _META_TITLE.search(text[:2000])
    if m:
        return m.group(1)
    lines = [ln.strip().lstrip("#").strip() for ln in text[:3000].splitlines()]
    lines = [ln for ln in lines if ln]
    for i, line in enumerate(lines[:8]):
        joined = ""
        for part in lines[i : i + 3]:
            joined += part
            if "报告" in part or "年报" in part:
                break
        if _YEAR_IN.search(joined) and ("报告" in joined or "年报" in joined) and len(joined) <= 80:
            return joined
    return lines[0] if lines else ""


def read_tables(text: str, report: ParsedReport) -> None:
    """Read 表二, 表三 and 表四 from prepared text into ``report``."""
    start3 = _table3_start(text)
    end3, glued_layout = read_applications(text, report, start3)
    read_active(text, report, start3 if start3 is not None else len(text), glued_layout)
    if end3 is not None:
        read_reviews(text, report, end3, glued_layout)


def parse_text(text: str, source: str, source_format: str = "text") -> ParsedReport:
    from .parse import finish

    report = ParsedReport(source_format=source_format)
    text = prepare(text)
    report.title = re.sub(r"\s+", "", find_title(text)) or None
    report.text = text
    read_tables(text, report)
    finish(report)
    if not report.tables and report.year is None and not report.unknown_cells:
        # Text with neither a dated title nor a table (decodable garbage, a stray page) is not
        # a report: say so rather than archive an empty one.
        raise ParseError(source, "no report found (no dated title, no tables)")
    return report
