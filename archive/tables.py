"""Mapping table grids to the canonical tables by their row and column labels, never by position.

A grid comes from an HTML table (htmlgrid), a DOCX/XLSX table or a PDF table: rows of Cell
objects in which a merged cell appears in every slot it covers. Which of the three tables a grid
is, which rows are headers, which columns carry which applicant type or outcome: all of it is
read from the labels printed in the grid.
"""
from __future__ import annotations

import re

from . import schema
from .htmlgrid import Cell, Grid, distinct
from .labels import looks_numeric, normalise, normalise_text, read_value
from .report import ParsedReport


def classify(grid: Grid) -> str | None:
    """Which canonical table a grid holds, from its labels."""
    text = normalise_text("".join(c.text for c in distinct(cell for row in grid for cell in row)))
    if "本年新收" in text or "上年结转" in text or "予以公开" in text or "申请人情况" in text:
        return "applications"  # (申请人情况: its header alone, the rows on the next page)
    if "行政复议" in text and ("维持" in text or "纠正" in text or "审结" in text):
        return "reviews"
    if "信息内容" in text or "第二十条" in text or ("规章" in text and "规范性文件" in text):
        return "active"
    return None


def _is_label(cell: Cell | None) -> bool:
    return cell is not None and not looks_numeric(cell.text)


def _column_keys(header_rows: Grid, width: int, rules) -> list[str | None]:
    """Key of each grid column from the most specific header label above it."""
    keys: list[str | None] = []
    for c in range(width):
        texts = [normalise(cell.text) for cell in distinct(row[c] for row in header_rows if c < len(row))]
        texts = [t for t in texts if t]
        key = schema.match_rule(texts[-1], rules) if texts else None
        if key is None and len(texts) > 1:
            # A header row broken by a page (商业企 | … on one page, 业 | … on the next).
            key = schema.match_rule(texts[-2] + texts[-1], rules)
        keys.append(key)
    return keys


def _values_by_column(row: list[Cell | None], keys: list[str | None]) -> dict[str, Cell]:
    """Value cells of a data row under their column keys.

    When the row's spans disagree with the header's (a value cell spanning two keyed columns,
    say), the row's distinct value cells are matched in order to the distinct keys, which is
    what a reader does; if even their counts differ the row is read by grid column only."""
    keyed = [(k, cell) for k, cell in zip(keys, row) if k is not None]
    order = list(dict.fromkeys(k for k, _ in keyed))
    cells = distinct(cell for _, cell in keyed)
    if len(cells) == len(order) and any(c.colspan > 1 for c in cells):
        return dict(zip(order, cells))
    out: dict[str, Cell] = {}
    for k, cell in keyed:
        if cell is not None:
            out.setdefault(k, cell)
    return out


def _first_data_row(grid: Grid, is_data) -> int:
    for i, row in enumerate(grid):
        if is_data(row):
            return i
    return len(grid)


# 表三 ----------------------------------------------------------------------------------------
_CJK = re.compile(r"[\u4e00-\u9fff]")


def application_row_key(labels: list[str]) -> str | None:
    """Row key from a row's label cells, outermost first (三、本年度办理结果 | （六）其他处理 | 3.其他)."""
    labels = [normalise(t) for t in labels if normalise(t)]
    # A value cell printing a mark that is not a number (`x`, `？`, `N/A`) is not a label.
    while len(labels) > 1 and not _CJK.search(labels[-1]):
        labels.pop()
    if not labels:
        return None
    specific = labels[-1]
    key = schema.match_rule(specific, schema.APPLICATION_ROW_RULES)
    if key is None and "其他" in specific and any("其他处理" in t for t in labels[:-1]):
        return "other_misc"
    return key


def _aligned_right(grid: Grid, keys: list[str | None], width: int) -> list[str | None] | None:
    """``keys`` moved to a grid of ``width`` columns by the right edge, when in every row each
    keyed column holds a value (a number or a blank) and a label stands left of them."""
    shift = width - len(keys)
    moved = [None] * shift + keys if shift >= 0 else keys[-shift:]
    if not any(moved) or set(k for k in moved if k) != set(k for k in keys if k):
        return None
    last = max(c for c, k in enumerate(moved) if k)
    if not any(last < len(row) and row[last] is not None and read_value(row[last].text).status == "number"
               for row in grid):
        return None  # the right edge holds no number: a column of remarks, not 总计
    for row in grid:
        if not any(c is not None and c.text for c in row):
            continue
        values = [row[c] for c, k in enumerate(moved) if k and c < len(row)]
        labels = [row[c] for c, k in enumerate(moved) if not k and c < len(row)]
        if any(_is_label(c) for c in values if c is not None) or not any(_is_label(c) for c in labels):
            return None
    return moved


def _names_all(header_rows: Grid, rules, keys) -> bool:
    """Whether the header rows print a label for every one of ``keys`` (wherever they stand)."""
    found = {schema.match_rule(normalise(c.text), rules) for row in header_rows for c in distinct(row)}
    # A header row broken by a page: a label's head in one row, its tail below it.
    for upper, lower in zip(header_rows, header_rows[1:]):
        for a, b in zip(upper, lower):
            if a is not None and b is not None and a is not b:
                found.add(schema.match_rule(normalise(a.text) + normalise(b.text), rules))
    return set(keys) <= found


def _ragged(grid: Grid) -> bool:
    """Whether the rows printing values end at different columns (cells left out of some)."""
    ends = {max(i for i, c in enumerate(row) if c is not None) for row in grid
            if any(c is not None and c.text and not _is_label(c) for c in row)}
    return len(ends) > 1


def read_applications(grid: Grid, report: ParsedReport, carry: dict) -> None:
    width = max(len(r) for r in grid)
    order = APPLICANT_KEYS

    def is_data(row):
        labels = [c.text for c in distinct(row) if _is_label(c)]
        return application_row_key(labels) in ("new_received", "carried_over") and any(
            c is not None and not _is_label(c) for c in row
        )

    first = _first_data_row(grid, is_data)
    if first < len(grid) and first > 0:
        keys = _column_keys(grid[:first], width, schema.APPLICANT_COLUMN_RULES)
        # A header typed without merged cells, its labels left-aligned over the wrong columns,
        # still names every applicant column: the values then follow the official order.
        in_order = len(set(k for k in keys if k)) < len(APPLICANT_KEYS) and _names_all(
            grid[:first], schema.APPLICANT_COLUMN_RULES, APPLICANT_KEYS)
        seen = [k for i, k in enumerate(keys) if k and (i == 0 or keys[i - 1] != k)]
        if not in_order and (len(set(seen)) != len(seen) or seen != [k for k in APPLICANT_KEYS if k in seen]):
            # Labels over the wrong columns (a header typed without merged cells that does not
            # name every column): its positions would misplace the values.
            report.warnings.append(f"表三: header columns {'|'.join(k or '-' for k in keys)} out of order: not read by position")
            keys = []
        carry["applications"] = keys
        carry["applications_in_order"] = in_order
        carry["applications_compared"] = _compared_after_total(grid[:first]) if in_order else 0
    else:
        # A continuation table (split at a page break) carries no header of its own.
        keys = carry.get("applications") or []
        in_order = carry.get("applications_in_order", False)
        first = 0
        named = list(dict.fromkeys(k for k in keys if k))
        if keys and not in_order and set(named) == set(APPLICANT_KEYS) and _ragged(grid):
            # Rows of several lengths (the labels a rowspan printed on the page before left out
            # of the first rows, not repeated): each row's values are the cells after its labels,
            # in the order of the header's columns.
            in_order, order = True, tuple(named)
        elif keys and not in_order and len(keys) != width:
            # The page's table found with another number of columns (a label column split in
            # two): the values keep their places from the right edge, if every row agrees.
            keys = _aligned_right(grid, keys, width)
            if keys is None:
                report.warnings.append("表三: a continuation of another width, its columns not matched: not read")
                return
    if not any(keys) and not in_order:
        report.warnings.append("表三: no column headers recognised")
        return
    prev = carry.get("applications_prev")  # the row before a page break
    if 0 < first < len(grid):
        carry["applications_remarks"] = any(_aside_kind(c) == "remark" for row in grid[:first] for c in row)
    remarks = carry.get("applications_remarks", False)
    compared = carry.get("applications_compared", 0)
    # The last column any header label stands over (a table typed inside a wider one, as the
    # three tables typed as one, has empty cells beyond it).
    if 0 < first < len(grid):
        carry["applications_extent"] = max(
            (i for row in grid[:first] if len([c for c in distinct(row) if c.text]) > 1  # not a title row
             for i, c in enumerate(row) if c is not None and c.text), default=width)
    extent = carry.get("applications_extent", width)
    for row in grid[first:]:
        if in_order:
            cells = distinct(row)
            first_label = next((i for i, c in enumerate(cells) if _is_label(c) and c.text), None)
            if first_label is None:
                continue
            # The row's labels run from the first label to the first value; cells after its
            # values (a remark such as 已办结) are not its label.
            last_label = first_label
            while last_label + 1 < len(cells) and _is_label(cells[last_label + 1]) and cells[last_label + 1].text:
                last_label += 1
            key = application_row_key([c.text for c in cells[: last_label + 1]])
            if key is None and prev == "other_no_fee" and "其他" in normalise(cells[last_label].text):
                key = "other_misc"  # 3.其他 under （六）, whose label stood on the first row only
            values = cells[last_label + 1 :]
            after = next((i for i, c in enumerate(values) if _is_label(c) and c.text), None)
            if after is not None and not any(not _is_label(c) for c in values[after:]):
                values = values[:after]  # a remark after the values
            while len(values) > len(order) and read_value(values[-1].text).status != "number" and (
                    remarks or row.index(values[-1]) > extent):
                values.pop()  # the 备注 column's blank, or an empty cell beyond every header label
            if compared and len(order) < len(values) <= len(order) + compared:
                values = values[: len(order)]  # last year's columns, named after 总计
            if len(values) == 1 and values[0].colspan == len(order) and read_value(values[0].text).status != "unreadable" \
                    and read_value(values[0].text).number in (None, 0):
                values = values * len(order)  # 无 (or 0) in one cell across the row: every column
            if key is None:
                continue
            prev = carry["applications_prev"] = key
            if len(values) != len(order):
                report.warnings.append(f"表三 {key}: {len(values)} value cells under a header without positions")
                # The row was printed: its cells are unknown (and name the template's rows).
                for col in order:
                    if f"applications.{key}.{col}" not in report.unknown_cells:
                        report.unknown_cells.append(f"applications.{key}.{col}")
                continue
            for col, cell in zip(order, values):
                report.put("applications", key, col, read_value(cell.text))
            continue
        labels = [c.text for c in distinct(cell for k, cell in zip(keys + [None] * width, row) if k is None)]
        key = application_row_key(labels)
        if key is None and prev == "other_no_fee" and labels and "其他" in normalise(labels[-1]):
            key = "other_misc"  # 3.其他 whose （六） label stayed on the page before
        if key is None:
            continue
        prev = carry["applications_prev"] = key
        start = next((i for i, k in enumerate(keys) if k), 0)
        last = max((i for i, c in enumerate(row[:start]) if _is_label(c) and c.text), default=-1)
        if any(c is not None and c is not row[last] for c in row[last + 1:start]):
            # A cell after the row's label where the header has labels: the row's cells are
            # not in the header's places (labels a rowspan printed on the page before left
            # out, the row padded with empty cells at its end). Its values are the cells after
            # its label, when they are exactly the header's columns once the padding is dropped.
            cells = distinct(row)
            at = max(i for i, c in enumerate(cells) if _is_label(c) and c.text)
            values = cells[at + 1:]
            named = list(dict.fromkeys(k for k in keys if k))
            while len(values) > len(named) and not values[-1].text.strip():
                values.pop()
            if len(values) != len(named) or any(_is_label(c) and c.text for c in values):
                report.warnings.append(f"表三 {key}: its cells out of the header's places: not read")
                report.unknown_cells.extend(f"applications.{key}.{c}" for c in APPLICANT_KEYS
                                            if f"applications.{key}.{c}" not in report.unknown_cells)
                continue
            for col, cell in zip(named, values):
                report.put("applications", key, col, read_value(cell.text))
            continue
        for col, cell in _values_by_column(row, keys).items():
            report.put("applications", key, col, read_value(cell.text))


def _compared_after_total(header_rows: Grid) -> int:
    """How many columns of last year's figures (上年总计, 同比增减) a header typed without merged
    cells names after its 总计 label, in the same header row; 0 when any stands elsewhere."""
    for row in header_rows:
        cells = [c for c in distinct(row) if c.text]
        texts = [normalise(c.text) for c in cells]
        if "总计" not in texts:
            continue
        after = texts[texts.index("总计") + 1:]
        # after this year's 总计, a column named by a year is another year's
        if after and all(_aside_kind(c) == "comparison" or _YEAR_HEAD.fullmatch(t)
                         for c, t in zip(cells[texts.index("总计") + 1:], after)):
            return len(after)
    return 0


APPLICANT_KEYS = tuple(k for k, _ in schema.APPLICANT_COLUMNS)
REVIEW_KEYS = tuple(f"{g}/{c}" for g, _ in schema.REVIEW_ROWS for c, _ in schema.REVIEW_COLUMNS)


# 表四 ----------------------------------------------------------------------------------------
def _outcome_rows(grid: Grid) -> list[tuple[int, str]]:
    """(row index, outcome) of the rows whose first label names an outcome of 表四: a 表四 printed
    the other way round, a row per outcome and a column per group."""
    out = []
    for i, row in enumerate(grid):
        cells = distinct(row)
        if len(cells) < 2 or not _is_label(cells[0]) or sum(1 for c in cells[1:] if not _is_label(c)) < 2:
            continue
        text = normalise(cells[0].text)
        if "复议" in text or "诉讼" in text:
            continue
        outcome = schema.match_rule(text, schema.REVIEW_COLUMN_RULES)
        if outcome:
            out.append((i, outcome))
    return out


def read_reviews_transposed(grid: Grid, rows: list[tuple[int, str]], report: ParsedReport) -> bool:
    """表四 with the outcomes as rows: each column's group from the header labels above it
    (行政复议; 行政诉讼 over 未经复议直接起诉 / 复议后起诉). False when the header does not name the
    three groups, one column each."""
    first = rows[0][0]
    width = max(len(r) for r in grid)
    groups: dict[int, str] = {}
    # The header rows (not a title row naming the table) over the columns that hold values.
    header = [row for row in grid[:first] if len([x for x in distinct(row) if x.text]) > 1]
    valued = {c for i, _ in rows for c, x in enumerate(grid[i]) if x is not None and not _is_label(x)}
    for c in sorted(valued):
        texts = [normalise(x.text) for x in distinct(row[c] for row in header if c < len(row))]
        group = schema.match_rule("|".join(t for t in texts if t), schema.REVIEW_GROUP_RULES)
        if group:
            groups[c] = group
    if sorted(groups.values()) != sorted(g for g, _ in schema.REVIEW_ROWS):
        return False
    for i, outcome in rows:
        for c, group in groups.items():
            cell = grid[i][c] if c < len(grid[i]) else None
            if cell is not None and cell.colspan == 1 and cell.rowspan == 1:
                report.put("reviews", group, outcome, read_value(cell.text))
    return True


def _totals_after_groups(header_rows: Grid) -> int:
    """How many 合计/总计 columns a 表四 header names after its two groups, in the row that
    names 行政复议 and 行政诉讼 (a total of the groups, no cell of the table)."""
    for row in header_rows:
        texts = [normalise(c.text) for c in distinct(row) if c.text]
        if "行政复议" in texts and "行政诉讼" in texts:
            after = texts[texts.index("行政诉讼") + 1:]
            if after and all(t in ("合计", "总计", "小计", "总数") for t in after):
                return len(after)
    return 0


_YEAR_HEAD = re.compile(r"(?:19|20)\d\d年度?(?:总计|合计)?")
_YEAR = re.compile(r"(20\d\d)年")


def _row_label(row) -> str:
    return "".join(normalise(c.text) for c in distinct(row) if _is_label(c) and c.text)


def _this_year_rows(rows: Grid) -> list[int]:
    """Which of several value rows its label names this year's: the one row not named last
    year's (上年/去年/同比) when the others are, else 本年/本年度/今年, else the latest of the years
    every row's label names. Rows without labels cannot be told apart: none."""
    labels = [_row_label(r) for r in rows]
    if not all(labels):
        return []
    current = [i for i, t in enumerate(labels) if not _COMPARISON_HEAD.search(t)]
    if len(current) == 1:
        return current
    named = [i for i in current if labels[i].startswith(("本年", "今年"))]
    if named:
        return named
    years = [m and int(m.group(1)) for m in (_YEAR.search(t) for t in labels)]
    if all(years) and years.count(max(years)) == 1:
        return [years.index(max(years))]
    return []


def _nothing_across(grid: Grid, report: ParsedReport) -> bool:
    """表四's value row printed as one cell across all fifteen columns saying 无, — or 0 (no
    review, no lawsuit): every cell that blank. True when such a row stood under the header."""
    for i, row in enumerate(grid[1:], 1):
        cells = [c for c in distinct(row) if c is not None]
        if len(cells) != 1 or cells[0].colspan < len(REVIEW_KEYS) or _is_label(cells[0]):
            continue
        value = read_value(cells[0].text)
        if value.number not in (None, 0) or not any(_is_label(c) and c.text for r in grid[:i] for c in r):
            continue
        for col in REVIEW_KEYS:
            group, outcome = col.split("/")
            report.put("reviews", group, outcome, value)
        return True
    return False


def read_reviews(grid: Grid, report: ParsedReport, carry: dict) -> None:
    width = max(len(r) for r in grid)
    turned = _outcome_rows(grid)
    if len({o for _, o in turned}) >= 4 and read_reviews_transposed(grid, turned, report):
        return

    def is_data(row):
        return sum(1 for c in distinct(row) if c is not None and not _is_label(c) and c.text) >= 3

    first = _first_data_row(grid, is_data)
    if first >= len(grid) or first == 0:
        if not _nothing_across(grid, report):
            report.warnings.append("表四: no value row recognised")
        return
    rows = [i for i in range(first, len(grid)) if is_data(grid[i])]
    if len(rows) > 1:
        # This year's row beside last year's (本年度 | … over 上年度 | …): the row its label names
        # as this year's; unnamed rows cannot be told apart.
        this_year = _this_year_rows([grid[i] for i in rows])
        if len(this_year) != 1:
            report.warnings.append(f"表四: {len(rows)} value rows, none named this year's: not read")
            return
        grid = grid[:first] + [grid[rows[this_year[0]]]]
    keys: list[str | None] = []
    for c in range(width):
        texts = [normalise(x.text) for x in distinct(row[c] for row in grid[:first] if c < len(row))]
        texts = [t for t in texts if t]
        if not texts:
            keys.append(None)
            continue
        group = schema.match_rule("|".join(texts), schema.REVIEW_GROUP_RULES)
        outcome = schema.match_rule(texts[-1], schema.REVIEW_COLUMN_RULES)
        keys.append(f"{group}/{outcome}" if group and outcome else None)
    if sorted(k for k in keys if k) != sorted(REVIEW_KEYS):
        # Headers typed without merged cells (the outcomes left-aligned, a group label over one
        # slot): when the value row prints the fifteen cells, they follow the official order.
        values = [c for c in distinct(grid[first]) if not _is_label(c)]
        if len(values) > len(REVIEW_KEYS) and any(_aside_kind(c) == "remark" for row in grid[:first] for c in row):
            # A 备注 column typed after 总计 without merged cells: its blank is not a value.
            while len(values) > len(REVIEW_KEYS) and read_value(values[-1].text).status != "number":
                values.pop()
        extra = _totals_after_groups(grid[:first])
        if extra and len(values) == len(REVIEW_KEYS) + extra:
            values = values[: len(REVIEW_KEYS)]  # a 合计 of the groups after the fifteen
        if len(values) == len(REVIEW_KEYS):
            for col, cell in zip(REVIEW_KEYS, values):
                group, outcome = col.split("/")
                report.put("reviews", group, outcome, read_value(cell.text))
            return
        if not any(c.colspan > 1 or c.rowspan > 1 for row in grid[:first] for c in distinct(row)):
            # A header typed without merged cells over a row of another count: its labels stand
            # over no particular value. Nothing is read by position.
            report.warnings.append(f"表四: {len(values)} value cells under a header without merged cells")
            return
        if len(set(k for k in keys if k)) != sum(1 for k in keys if k):
            # The header names some columns twice: its positions are not the values' (a header
            # typed without merged cells over a row of another width). Nothing is read by them.
            report.warnings.append(f"表四: {len(values)} value cells under a header without positions")
            return
    for col, cell in _values_by_column(grid[first], keys).items():
        group, outcome = col.split("/")
        report.put("reviews", group, outcome, read_value(cell.text))


# 表二 ----------------------------------------------------------------------------------------
def read_active(grid: Grid, report: ParsedReport, carry: dict) -> None:
    keys: list[str | None] = carry.get("active") or []
    for row in grid:
        cells = distinct(row)
        # The printed cells after any 第二十条 heading (a row of its own, or a column spanning
        # its block's rows).
        lead = [c for c in cells if c.text and not normalise(c.text).startswith("第二十条")]
        if not lead:
            continue
        head = normalise(lead[0].text).rstrip(":：")
        if head in ("信息内容", "内容", "项目") or (
            len(lead) > 1 and all(_is_label(c) for c in lead)
            and any(schema.match_rule(normalise(c.text), schema.ACTIVE_COLUMN_RULES) for c in lead[1:])
        ):
            keys = [None] + [_active_column(c) for c in row[1:]]
            carry["active"] = keys
            continue
        # The row's label: its first label cell naming a row (a 第二十条 heading may stand in a
        # column of its own before it).
        label = next((c for c in cells if _is_label(c) and schema.match_rule(normalise(c.text), schema.ACTIVE_ROW_RULES)
                      and not normalise(c.text).startswith("第二十条")), None)
        if label is None or not keys:
            continue
        key = schema.match_rule(normalise(label.text), schema.ACTIVE_ROW_RULES)
        at = row.index(label)
        for col, cell in _values_by_column([None] * (at + 1) + list(row[at + 1:]), keys).items():
            if cell is not label:
                report.put("active", key, col, read_value(cell.text))


def _active_column(cell: Cell | None) -> str | None:
    """A 表二 header cell's column; a column of last year's figures (上年处理决定数量 beside
    本年处理决定数量) is none of this year's (the 2019 format's 上一年项目数量 is its own column)."""
    if cell is None:
        return None
    text = normalise(cell.text)
    key = schema.match_rule(text, schema.ACTIVE_COLUMN_RULES)
    if key not in (None, "previous", "change") and _COMPARISON_HEAD.match(text):
        return None
    return key


READERS = {"applications": read_applications, "reviews": read_reviews, "active": read_active}


# Columns that print no value of the template: a serial number before the labels, remarks after
# the values. Read as labels they would hide a row's label (`已办结`) or pass for a value (`1`).
_SERIAL_HEAD = {"序号", "编号", "行次"}
_REMARK_HEAD = {"备注", "说明", "备注说明", "附注"}
_SERIAL = re.compile(r"[0-9一二三四五六七八九十]{1,3}[.、．]?")


_UNIT_HEAD = {"计量单位", "单位", "计算单位"}
_UNIT_WORD = re.compile(r"(?:件|个|项|次|起|宗|笔|份|人次|万元|元)?")
# Last year's figures or the change beside this year's (上年总计 | 同比增减): never this year's.
_CHANGE = re.compile(r"(?:增加|减少|增长|下降|上升|增|减)?[+\-]?\d+(?:\.\d+)?%?|持平")
_COMPARISON_HEAD = re.compile(r"(?:上年|上一年|去年|同期|同比|增减|比上年|增长|增幅|变化)")


def _aside_kind(cell: Cell | None) -> str | None:
    if cell is None:
        return None
    t = normalise(cell.text).rstrip(":：")
    if t in _SERIAL_HEAD:
        return "serial"
    if t in _REMARK_HEAD:
        return "remark"
    if t in _UNIT_HEAD:
        return "unit"
    if _COMPARISON_HEAD.match(t) and len(t) <= 12:
        return "comparison"
    return None


def drop_aside_columns(grid: Grid, inherited: list[tuple[int, str, int]] | None = None) -> tuple[Grid, list[tuple[int, str, int]]]:
    """The grid without its 序号 and 备注 columns, and which were dropped: a column headed 序号
    (the first one) whose other cells are serial numbers, or headed 备注 whose other cells hold
    no number and no column label. A header typed without merged cells puts 备注 over a column of
    values: that column stays. ``inherited``: the columns dropped from the table this grid
    continues (a page break: no header of its own), dropped again where their cells agree."""
    if not grid:
        return grid, []
    width = max(len(r) for r in grid)
    drop: list[tuple[int, str]] = []
    table = classify(grid)
    for c in range(width):
        col = [row[c] if c < len(row) else None for row in grid]
        head = next((x for x in col if _aside_kind(x)), None)
        if head is None or any(x is head for x in _neighbours(grid, c)):
            continue
        kind = _aside_kind(head)
        if kind == "comparison" and (table is None or table == "active"):
            continue  # 表二's 2019 columns are 上一年项目数量 and 本年增/减
        if _aside_cells(grid, c, kind, head):
            drop.append((c, kind))
    # Last year's columns stand after this year's: a 上年 label elsewhere is a header typed
    # without merged cells, its labels not over their columns (the values' order says more).
    right = width
    for c, kind in sorted(drop, reverse=True):
        if kind != "comparison":
            continue
        if any(row[i] is not None and row[i].text and not any(c2 == i for c2, _ in drop)
               for row in grid for i in range(c + 1, min(right, len(row)))):
            drop = [(c2, k) for c2, k in drop if c2 != c]
        right = c
    if not drop and inherited:
        # Where they stand in this grid (another number of columns on another page): 序号 the
        # first column, 备注 as far from the right edge as before.
        for c, kind, from_right in inherited:
            c = _first_column(grid) if kind == "serial" else width - 1 - from_right
            if 0 <= c < width and _aside_cells(grid, c, kind, None):
                drop.append((c, kind))
    if not drop:
        return grid, []
    cols = {c for c, _ in drop}
    shrunk: set[int] = set()
    for c in cols:
        for row in grid:
            x = row[c] if c < len(row) else None
            if x is not None and id(x) not in shrunk and x.colspan > 1:
                shrunk.add(id(x))
                x.colspan -= 1
    units = {c for c, k in drop if k == "unit"}

    def gone(i, x) -> bool:
        # A 单位 column typed into a header without merged cells (its labels left-aligned over
        # other columns) leaves the header's other labels where they are.
        return i in cols and not (i in units and x is not None and x.text and _is_label(x)
                                  and _aside_kind(x) != "unit" and not _UNIT_WORD.fullmatch(normalise(x.text)))

    return [[x for i, x in enumerate(row) if not gone(i, x)] for row in grid], [(c, k, width - 1 - c) for c, k in drop]


def _aside_cells(grid: Grid, c: int, kind: str, head) -> bool:
    """Whether column ``c``'s own cells (not the header, not a cell spanning into a neighbour)
    are what a 序号 or 备注 column holds."""
    if not any(c is not None and c.text and not _is_label(c) for row in grid for c in row):
        return False  # a header alone (its rows on the next page): nothing tells yet
    own = [x for x in distinct(row[c] if c < len(row) else None for row in grid)
           if x is not head and x.text and not any(y is x for y in _neighbours(grid, c))]
    if kind == "serial":
        return c == _first_column(grid) and all(_SERIAL.fullmatch(normalise(x.text)) for x in own)
    if kind == "unit":  # in the rows of values: a unit or nothing
        rows = [row for row in grid if any(y is not None and y.text and not _is_label(y) for y in row)]
        cells = [row[c] for row in rows if c < len(row) and row[c] is not None and row[c].text]
        return len(cells) >= 2 and all(_UNIT_WORD.fullmatch(normalise(x.text)) for x in cells)
    if kind == "comparison":  # numbers, changes (增加3, -2, 12.5%, 持平) or blanks
        return all(read_value(x.text).status != "unreadable" or _CHANGE.fullmatch(normalise(x.text)) for x in own)
    return not any(read_value(x.text).status == "number" or _names_a_column(x.text) for x in own)


def _names_a_column(text: str) -> bool:
    """Whether a cell prints a column label of one of the tables (a header typed without merged
    cells puts 备注 over such labels: that column is not the remarks')."""
    t = normalise(text)
    return any(schema.match_rule(t, rules) for rules in (
        schema.APPLICANT_COLUMN_RULES, schema.REVIEW_COLUMN_RULES, schema.ACTIVE_COLUMN_RULES))


def _first_column(grid: Grid) -> int:
    return min((i for row in grid for i, x in enumerate(row) if x is not None and x.text), default=0)


def _neighbours(grid: Grid, c: int):
    """The cells beside column ``c`` in every row (to tell a cell spanning into it)."""
    for row in grid:
        for i in (c - 1, c + 1):
            if 0 <= i < len(row) and row[i] is not None:
                yield row[i]


# A row naming a table and nothing else: where one Word table holding several tables is cut.
_TABLE_HEADING = re.compile(r"主动公开政府信息|收到和处理政府信息公开申请|行政复议[、,，和及]?行政诉讼|^表[二三四]")


def split_at_headings(grid: Grid) -> list[Grid]:
    """A grid cut before each row that prints only a table's name (表三 收到和处理…): the three
    tables typed as one."""
    out, current = [], []
    for row in grid:
        cells = [x for x in distinct(row) if x.text]
        if current and len(cells) == 1 and _TABLE_HEADING.search(normalise(cells[0].text)) and not any(
                c.rowspan > 1 for c in cells):
            out.append(current)
            current = []
        current.append(row)
    if current:
        out.append(current)
    return out


def _row_texts(row) -> tuple[str, ...]:
    return tuple(normalise(x.text) for x in distinct(row))


def _repeated_header(grid: Grid, previous: Grid) -> int:
    """How many leading rows of ``grid`` repeat the leading label rows of ``previous`` (a header
    Word prints again on each page a table continues on)."""
    n = 0
    while n < len(grid) - 1 and n < len(previous) and _row_texts(grid[n]) == _row_texts(previous[n]) and all(
            _is_label(x) for x in distinct(grid[n]) if x.text):
        n += 1
    return n


# A note under (or inside) a table: 注：… / 说明：… in a cell across the table, or 注 | its text.
_NOTE = re.compile(r"(?:注|说明|备注|附注|填表说明|数据来源|资料来源)(?:\d|[:：、.．]|$)")
# What stands before a row numbering the columns: 栏次, 甲 乙 丙, 行次.
_COLUMN_NUMBER_LABEL = re.compile(r"栏次|栏号|行次|[甲乙丙丁]|序号|项目")


def _is_note(row) -> bool:
    cells = [x for x in distinct(row) if x.text.strip()]
    return 0 < len(cells) <= 2 and bool(_NOTE.match(normalise(cells[0].text))) and all(_is_label(x) for x in cells)


def _numbers_columns(row) -> bool:
    """A row numbering the value columns 1, 2, 3 … n (n ≥ 5) under a header: no row of values
    (its 总计 would be n, never the sum of the others, A2/A4)."""
    cells = [x for x in distinct(row) if x.text.strip()]
    numbers = [read_value(x.text) for x in cells if not _is_label(x)]
    labels = [normalise(x.text) for x in cells if _is_label(x)]
    return len(numbers) >= 5 and [v.number for v in numbers] == list(range(1, len(numbers) + 1)) and all(
        _COLUMN_NUMBER_LABEL.fullmatch(t) for t in labels)


def drop_note_rows(grid: Grid) -> Grid:
    """The grid without its note rows and its row of column numbers (neither holds a value of
    the tables: a note's 上年结转的2件 is no row)."""
    kept = [row for row in grid if not _is_note(row) and not _numbers_columns(row)]
    return kept if len(kept) != len(grid) and kept else grid


def read_grids(grids: list[Grid], report: ParsedReport) -> None:
    """Map every recognisable grid of a document into ``report``; a grid with no label of its
    own (a table continued after a page break) continues the table before it."""
    carry: dict = {}
    last = None
    joined: list[Grid] = []
    parts, dropped = [], []
    for part in (p for grid in grids for p in split_at_headings(grid)):
        part, dropped = drop_aside_columns(drop_note_rows(part), dropped)
        parts.append(part)
    grids = parts
    for grid in grids:
        if joined and (len(grid[0]) == len(joined[-1][0]) or not any(
                _is_label(c) for row in grid for c in row if c is not None and c.text)) and classify(
                joined[-1]) in ("applications", "reviews") and not any(
                not _is_label(c) and c.text for row in joined[-1] for c in row if c is not None):
            # A table whose page ends after its header (a header row itself may break over the
            # pages): the next grid holds its rows.
            joined[-1] = joined[-1] + grid
            continue
        if joined:
            # A table continued on the next page with its header printed again: the rows after
            # the repeated header continue the table, read under the header in force there.
            n = _repeated_header(grid, joined[-1])
            if n and classify(grid[n:]) in (None, classify(joined[-1])) and classify(joined[-1]) == "active":
                grid = grid[n:]
                joined[-1] = joined[-1] + grid
                continue
        # A table broken at a page break after its header: the rows of values alone (no label
        # at all) continue the grid before them, whose header says what they are.
        if joined and len(grid[0]) == len(joined[-1][0]) and not any(
                _is_label(c) for row in grid for c in row if c is not None and c.text):
            joined[-1] = joined[-1] + grid
        else:
            joined.append(grid)
    for grid in joined:
        kind = classify(grid) or last
        if kind is None:
            continue
        READERS[kind](grid, report, carry)
        last = kind


def active_template(report: ParsedReport) -> str | None:
    """2019 or 2021 from the columns of 表二 alone, None when they do not tell."""
    cols = {c for row in report.tables.get("active", {}).values() for c in row}
    cols |= {k.split(".")[2] for k in report.unknown_cells if k.startswith("active.")}
    is_2019 = bool(cols & {"made", "published", "total_published", "previous", "change", "projects"})
    is_2021 = bool(cols & {"issued", "abolished", "in_force"})
    return "2019" if is_2019 and not is_2021 else "2021" if is_2021 and not is_2019 else None


def decide_template(report: ParsedReport) -> None:
    """2021, 2019 or mixed, from which rows and columns the tables actually carry."""
    from .completeness import clear_missing

    clear_missing(report)  # cells marked missing under an earlier decision say nothing of the template
    apps = dict(report.tables.get("applications", {}))
    active = dict(report.tables.get("active", {}))
    cols = {c for row in active.values() for c in row}
    # A cell whose digits could not be split was still printed under a recognised label.
    for cell in report.unknown_cells:
        table, row, col = cell.split(".")
        if table == "applications":
            apps.setdefault(row, {})
        elif table == "active":
            active.setdefault(row, {})
            cols.add(col)
    active_2021 = bool(cols & {"issued", "abolished", "in_force"}) or (
        bool(active) and not cols & {"made", "published", "previous", "change", "projects"}
    )
    # 上年 and 增减 columns beside a 2021 block (a home-made comparison with last year) are not
    # the 2019 format's 上一年项目数量 and 本年增/减: its other columns are.
    active_2019 = bool(cols & {"made", "published", "total_published", "projects"}) or (
        bool(cols & {"previous", "change"}) and not cols & {"issued", "abolished", "in_force"})
    apps_2021 = any(k in apps for k in schema.OTHER_2021)
    # （六）其他处理 over the 2021 sub-rows 1.–3. is their group heading (a subtotal where it
    # prints numbers), not the single row of the 2019 format.
    apps_2019 = "other" in apps and not apps_2021
    if not apps and not report.tables.get("reviews") and not any(c.startswith("reviews.") for c in report.unknown_cells):
        report.template = None
        report.tables.pop("active", None)  # 表二 alone is not a 2019/2021 report
        report.unknown_cells = [c for c in report.unknown_cells if not c.startswith("active.")]
        return
    if apps_2021 or (active_2021 and not active_2019):
        report.template = "2021"
        if apps_2019:
            report.template_variant = "mixed"
    elif apps_2019 or active_2019:
        report.template = "2019"
    else:
        report.template = "2021"
