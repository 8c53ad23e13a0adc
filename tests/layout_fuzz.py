"""Perturbations of the layout generator (tests/layouts.py): what home-made and converted reports
do to the official tables that none of the generator's families does.

Each perturbation class takes the official or the hand-typed grids of a random consistent report
and changes one thing real reports change, then renders the result as HTML, DOCX or XLSX (some
classes only make sense in one format). `render_fuzz(truth, name, rng)` returns a
tests.layouts.Rendered; `tests/test_layout_fuzz.py` reads each back through parse_bytes and
compares it with the truth (tests.layouts.compare).

Classes (FUZZ):
- seq_column: a 序号 column before the labels (numbers 1, 2, 3… that are not values);
- remark_column: a 备注 column after 总计 (empty, or 无 / — / 已办结 in some rows);
- unit_caption: a `单位：件` line and a 「表三 …」 caption row inside the table;
- label_variants: 其中：, trailing colons and spaces, numbering 1、/（1）/①/第一项, 合计 for 总计,
  2021 wording in a 2019 report and the short forms of the 2021 （六） sub-rows;
- reviews_transposed: 表四 with the outcomes as rows and 行政复议 / 直接起诉 / 复议后起诉 as columns;
- active_reordered: 表二's value columns in another order (header and values together);
- active_heading_column: 表二's 第二十条 headings as a column spanning their rows;
- one_table: the three tables as one table (a heading row between them, short rows padded);
- number_styles: `1 234` (a space for thousands), `12.0`, `0.0`;
- page_split: every table split in two at a page break, the header row repeated;
- css_divs: an HTML page whose tables are <div>s styled display:table (no <table> at all);
- text_blanks_dropped: the crawler's text of a page with empty cells (a cell per line, blanks gone);
- layout_table: the article inside an old portal's layout <table>, the tables nested, <th> headers;
- spacer_rows: empty rows inside the tables;
- sheet_per_table: XLSX with a sheet per table;
- p_span: HTML whose every value sits in `<p><span>` with &nbsp; padding and empty spans;
- xlsx_text_numbers: XLSX with merged label cells and the numbers stored as text (or floats);
- xls_libreoffice / ods_libreoffice / odt_libreoffice: the XLSX or DOCX converted by LibreOffice;
- pdf_libreoffice: a DOCX with one to three of the perturbations above, printed to PDF by LibreOffice;
- number_units (and markdown_number_units, text_number_units: markitdown's markdown of the page, the
  crawler's text of it): `12件`, `3次`, `0起`, `1,234`, `1，234`, `１２`, 增5/减12, `12.5万元`;
- blank_marks: zeros as —, -, /, 无, ——, ―, ／, `— —`, blank or 0 mixed, a 表三 row and a whole 表四
  of zeros as one cell across the row;
- page_break_no_header: every table cut by a page at any row, the header not repeated, a rowspan
  crossing the cut left out, printed again empty, or printed again (表四's value row alone);
- subtotal_rows: （三）不予公开 with its group's subtotals, 小计 rows, a 合计 row in 表二, a 合计
  column after 表四's fifteen;
- comparison_columns: 上年总计 / 同比 columns after 表三's 总计, 表二 as 本年 | 上年 | 增减 (or
  上年 first), 表四 with 本年度 and 上年度 rows in either order;
- footnote_rows: 注： / 说明： rows under the tables, full of numbers and dates;
- column_numbers: a 栏次 1 2 3 … row under 表三's and 表四's headers;
- unit_column: a 计量单位 column of 件 between 表三's labels and values;
- md_*: the last five as markdown (markitdown's conversion of the HTML page).
"""
from __future__ import annotations

import io
import random
import re

from archive import schema
from tests.layouts import (GROUP_LABELS, C, Printer, Rendered, Truth, _app_rows, _place, docx_from, flat_grids, html_page, html_table,
                           official_grids, title, narrative, xlsx_from, xlsx_grid)

Grids = list  # [(heading, rows of C)]


def _width(rows) -> int:
    placed = _place(rows)
    return max(col + c.cs for _, col, c in placed)


def _height_of_header(rows) -> int:
    """Rows before the first row holding a value cell."""
    for i, row in enumerate(rows):
        if any(c.key for c in row):
            return i
    return len(rows)


def _base(truth: Truth, pr: Printer, rng: random.Random) -> Grids:
    return official_grids(truth, pr) if rng.random() < 0.6 else flat_grids(truth, pr, rng)


# Grid perturbations --------------------------------------------------------------------------
def seq_column(grids: Grids, rng: random.Random) -> Grids:
    """A 序号 column before the labels of 表二 and 表三: each data row numbered."""
    out = []
    for heading, rows in grids:
        if heading.startswith("四"):
            out.append((heading, rows))
            continue
        head = _height_of_header(rows)
        new, n = [], 0
        for i, row in enumerate(rows):
            if heading.startswith("二"):
                if len(row) == 1 and row[0].text.startswith("第二十条"):
                    new.append([C("", cs=1)] + row)
                elif not any(c.key for c in row):
                    new.append([C("序号")] + row)
                else:
                    n += 1
                    new.append([C(str(n))] + row)
                continue
            if i == 0:
                new.append([C("序号", rs=max(head, 1))] + row)
            elif i < head:
                new.append(row)
            else:
                n += 1
                new.append([C(str(n) if rng.random() < 0.7 else f"{n}.")] + row)
        out.append((heading, new))
    return out


def remark_column(grids: Grids, rng: random.Random) -> Grids:
    """A 备注 column after the last value column of each table."""
    out = []
    for heading, rows in grids:
        head = _height_of_header(rows)
        new = []
        for i, row in enumerate(rows):
            if heading.startswith("二"):
                if any(c.text.startswith("信息内容") for c in row):
                    new.append(row + [C("备注")])
                elif any(c.text.startswith("第二十条") for c in row):
                    new.append(row + ([C("")] if row[-1].cs > 1 else []))  # a merged heading spans it too
                else:
                    new.append(row + [C(rng.choice(("", "", "无", "—", "已公开")))])
                continue
            if i == 0:
                merged = any(c.rs > 1 or c.cs > 1 for r in rows[:head] for c in r)
                # Over the merged header of the official tables it spans the header rows; a
                # table typed without merges prints it at the end of the first header row.
                new.append(row + [C("备注", rs=max(head, 1) if merged else 1)])
            elif i < head:
                new.append(row)
            else:
                note = rng.choice(("", "", "", "无", "—", "已办结", "/"))
                new.append(row + [C(note)])
        out.append((heading, new))
    return out


def unit_caption(grids: Grids, rng: random.Random) -> Grids:
    """`单位：件` and a caption naming the table, as rows of the table itself."""
    out = []
    names = {"二": "表二 主动公开政府信息情况", "三": "表三 收到和处理政府信息公开申请情况",
             "四": "表四 政府信息公开行政复议、行政诉讼情况"}
    for heading, rows in grids:
        w = _width(rows)
        extra = []
        if rng.random() < 0.7:
            extra.append([C(names[heading[0]], cs=w)])
        unit = "单位：件" if not heading.startswith("二") else "单位：件、万元"
        extra.append([C(unit, cs=w)] if rng.random() < 0.5 else [C("", cs=w - 1), C(unit)])
        out.append((heading, extra + rows))
    return out


_NUMBERINGS = (
    lambda n, t: f"{n}、{t}",
    lambda n, t: f"（{n}）{t}",
    lambda n, t: f"({n}){t}",
    lambda n, t: f"{'①②③④⑤⑥⑦⑧'[n - 1]}{t}",
    lambda n, t: f"{n}. {t}",
    lambda n, t: f"{n}．{t}",
)
_TOP = {"一": 1, "二": 2, "四": 4}
_SHORT_OTHER = {
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请": "1.申请人逾期不补正",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请": "2.申请人逾期未缴纳费用",
}


def _vary_label(text: str, rng: random.Random, numbering) -> str:
    if not text:
        return text
    m = re.match(r"(\d)\.(.+)", text)
    if m and text in _SHORT_OTHER and rng.random() < 0.5:
        text = _SHORT_OTHER[text]
        m = re.match(r"(\d)\.(.+)", text)
    if m:
        text = numbering(int(m.group(1)), m.group(2))
    elif text[0] in _TOP and text[1:2] == "、" and rng.random() < 0.5:
        text = rng.choice((f"第{text[0]}项 {text[2:]}", f"（{text[0]}）{text[2:]}", text[2:]))
    elif text.startswith("（") and text[1:2] in "三四五六" and rng.random() < 0.5:
        text = text + rng.choice(("，其中：", "：", "其中："))
    if rng.random() < 0.3:
        text += rng.choice(("：", ":", " ", "\u3000"))
    return text


def label_variants(grids: Grids, rng: random.Random) -> Grids:
    """Other printed wordings of the same labels."""
    numbering = rng.choice(_NUMBERINGS)
    out = []
    for heading, rows in grids:
        new = []
        for row in rows:
            cells = []
            for c in row:
                if c.key or not c.text:
                    cells.append(c)
                    continue
                t = c.text
                if heading.startswith("三") and not t.startswith("（本列"):
                    t = _vary_label(t, rng, numbering)
                elif heading.startswith("四") and t == "总计" and rng.random() < 0.3:
                    t = "合计"
                elif heading.startswith("二") and t == "行政规范性文件" and rng.random() < 0.5:
                    t = "规范性文件"  # the 2019 word in a 2021 table
                elif heading.startswith("二") and rng.random() < 0.3 and not t.startswith("第二十条"):
                    t += rng.choice(("：", " "))
                cells.append(C(t, c.rs, c.cs, c.key))
            new.append(cells)
        out.append((heading, new))
    return out


def reviews_transposed(grids: Grids, rng: random.Random) -> Grids:
    """表四 printed the other way round: a row per outcome, a column per group."""
    out = []
    for heading, rows in grids:
        if not heading.startswith("四"):
            out.append((heading, rows))
            continue
        values = {c.key: c for row in rows for c in row if c.key}
        groups = [g for g, _ in schema.REVIEW_ROWS]
        if rng.random() < 0.5:
            t4 = [[C("", rs=2), C("行政复议", rs=2), C("行政诉讼", cs=2)],
                  [C("未经复议直接起诉"), C("复议后起诉")]]
        else:
            t4 = [[C(rng.choice(("", "项目", "结果"))), C("行政复议"), C("行政诉讼（未经复议直接起诉）"),
                   C("行政诉讼（复议后起诉）")]]
        for col, label in schema.REVIEW_COLUMNS:
            t4.append([C(label)] + [values[f"reviews.{g}.{col}"] for g in groups])
        out.append((heading, t4))
    return out


def active_reordered(grids: Grids, rng: random.Random) -> Grids:
    """表二's value columns in another order within each block (header and values together)."""
    out = []
    for heading, rows in grids:
        if not heading.startswith("二"):
            out.append((heading, rows))
            continue
        new, perm = [], None
        for row in rows:
            if len(row) >= 3 and row[0].text == "信息内容":
                perm = list(range(1, len(row)))
                rng.shuffle(perm)
            if perm and len(row) == len(perm) + 1 and all(c.cs == 1 for c in row):
                new.append([row[0]] + [row[i] for i in perm])
            else:
                if len(row) < 3:
                    perm = None if row[0].text.startswith("第二十条") else perm
                new.append(row)
        out.append((heading, new))
    return out


def active_heading_column(grids: Grids, rng: random.Random) -> Grids:
    """表二's 第二十条 headings as a column on the left spanning their block's rows."""
    out = []
    for heading, rows in grids:
        if not heading.startswith("二"):
            out.append((heading, rows))
            continue
        blocks, current = [], None
        for row in rows:
            if len(row) == 1 and row[0].text.startswith("第二十条"):
                current = [row[0].text, []]
                blocks.append(current)
            else:
                current[1].append(row)
        new = []
        for text, brows in blocks:
            for i, row in enumerate(brows):
                new.append(([C(text, rs=len(brows))] if i == 0 else []) + row)
        out.append((heading, new))
    return out


def one_table(grids: Grids, rng: random.Random) -> Grids:
    """The three tables in one: a heading row before each, short rows padded with empty cells."""
    w = max(_width(rows) for _, rows in grids)
    rows_out = []
    for heading, rows in grids:
        rows_out.append([C(heading, cs=w)])
        covered = [0] * len(rows)  # the slots each row covers, cells spanning from above included
        for r, _, c in _place(rows):
            for dr in range(c.rs):
                covered[r + dr] += c.cs
        # every row padded to the full width with one empty cell spanning the rest
        rows_out += [row + [C("", cs=w - n)] if n < w else row for row, n in zip(rows, covered)]
    return [("二、主动公开政府信息情况", rows_out)]


class StylePrinter(Printer):
    """Numbers as some offices type them: `1 234`, `12.0`, `0.0`."""

    def __call__(self, key: str, text: str) -> str:
        text = super().__call__(key, text)
        rng = self.rng
        if re.fullmatch(r"\d{4,}", text) and rng.random() < 0.7:
            text = f"{int(text):,}".replace(",", rng.choice((" ", "\u00a0", "\u2009")))
        elif re.fullmatch(r"\d+", text) and rng.random() < 0.25:
            text += ".0"
        return text


def page_split(grids: Grids, rng: random.Random) -> Grids:
    """Each table of more than a few rows split in two at a page break, its header repeated."""
    out = []
    for heading, rows in grids:
        head = _height_of_header(rows)
        body = rows[head:]
        if heading.startswith("四") or len(body) < 4:
            out.append((heading, rows))
            continue
        # Cut where no rowspan crosses.
        cuts = [i for i in range(1, len(body)) if not _crosses(body, i)]
        cut = rng.choice(cuts)
        out.append((heading, rows[:head] + body[:cut]))
        out.append(("", rows[:head] + body[cut:]))
    return out


def _crosses(body, i) -> bool:
    return any(r < i < r + c.rs for r, _, c in _place(body))


# Classes of this round: numbers and blanks as offices type them, tables cut by page breaks
# without their header, rows and columns that are not the template's (subtotals, last year's
# figures, footnotes, column numbers) -------------------------------------------------------
_COUNT_UNITS = ("件", "件", "次", "个", "项", "起", "宗")


class UnitPrinter(Printer):
    """Numbers with a unit or a word (`12件`, `3次`, `0起`, `减5`), thousands commas (`1,234`,
    `1，234`), full-width digits (`１２`), 万元 amounts with their unit."""

    def __init__(self, rng):
        super().__init__(rng, blank=0.15, sign_words=True, fullwidth=0.15)

    def __call__(self, key: str, text: str) -> str:
        out = super().__call__(key, text)
        if key in self.blanks:
            return out
        rng = self.rng
        table, row, col = key.split(".")
        digits = out.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        if re.fullmatch(r"\d{4,}", digits) and rng.random() < 0.7:
            sep = rng.choice((",", ",", "，"))
            out = f"{int(digits):,}".replace(",", sep)
        if table == "active" and col == "amount":
            if row == "fees" and rng.random() < 0.3:
                out += "万元"
        elif col != "change" and rng.random() < 0.35:
            out += rng.choice(_COUNT_UNITS)
        return out


def fuzz_number_units(truth, rng):
    pr = UnitPrinter(rng)
    return _any_format(truth, _base(truth, pr, rng), rng), pr


def fuzz_markdown_number_units(truth, rng):
    """The tables of number_units as markdown pipe tables (markitdown's conversion of the HTML
    page): `1,234` and `12件` in a text, where a comma may also separate cells."""
    from markitdown import MarkItDown

    pr = UnitPrinter(rng)
    page = _html(truth, _base(truth, pr, rng))
    return MarkItDown().convert_stream(io.BytesIO(page.encode()), file_extension=".html").text_content, pr


def fuzz_text_number_units(truth, rng):
    """The crawler's text of a number_units page (a cell per line; zeros printed, so no blank is
    dropped): `1,234` on a line of its own is one number."""
    from archive.extract import main_text

    pr = UnitPrinter(rng)
    pr.blank = 0.0
    return main_text(html_page(truth, [(h, html_table(g)) for h, g in official_grids(truth, pr)])), pr


# How zeros are printed: one office mixes several marks in one table.
_BLANK_MARKS = ("—", "-", "/", "无", "", "——", "－", "／", "―", "--", "0", "\\", "— —")


def fuzz_blank_marks(truth, rng):
    """Zeros printed as `—`, `-`, `/`, `无`, `——`, `―`, `／`, blank or `0`, mixed in one table;
    in 表三 a row of zeros printed as one merged cell (`无` across the seven columns), and a 表四
    of zeros (a town without reviews or lawsuits) as one cell across its fifteen."""
    if rng.random() < 0.3:  # a town with no review and no lawsuit (still a consistent report)
        truth.tables["reviews"] = {g: {c: "0" for c in cols} for g, cols in truth.tables["reviews"].items()}
    pr = Printer(rng, blank=0.5, blank_marks=_BLANK_MARKS)
    grids = _base(truth, pr, rng)
    out = []
    for heading, rows in grids:
        new = []
        for row in rows:
            keys = [c for c in row if c.key]
            if (heading.startswith("四") and len(keys) == 15 and rng.random() < 0.7
                    and all(truth.number(*c.key.split(".")) == 0 for c in keys)):
                # 表四 of zeros as one cell across the row: 无, 0 or —
                for c in keys:
                    pr.blanks.add(c.key)
                new.append([C(rng.choice(("无", "—", "0", "/")), cs=15, key=keys[0].key)])
                continue
            if (heading.startswith("三") and len(keys) == 7 and rng.random() < 0.7
                    and all(truth.number(*c.key.split(".")) == 0 for c in keys)):
                mark = rng.choice(("无", "—", "/", "0"))
                for c in keys:
                    pr.blanks.add(c.key)
                row = [c for c in row if not c.key] + [C(mark, cs=7, key=keys[0].key)]
            new.append(row)
        out.append((heading, new))
    return _any_format(truth, out, rng), pr


def page_break_no_header(grids: Grids, rng: random.Random) -> Grids:
    """Each table cut by a page break at any row, a rowspan crossing it or not, the header not
    repeated: a label spanning the cut ends on the first page and, on the next, is left out (the
    rows start one or two cells short), printed again empty, or printed again."""
    out = []
    for heading, rows in grids:
        head = _height_of_header(rows)
        body = rows[head:]
        if len(body) < 2:
            # 表四: its header on one page, the value row on the next
            out += [(heading, rows[:head]), ("", body)] if rng.random() < 0.5 else [(heading, rows)]
            continue
        cut = rng.randrange(1, len(body))
        first, second = [list(r) for r in body[:cut]], [list(r) for r in body[cut:]]
        mode = rng.choice(("omit", "empty", "repeat"))
        carried = []  # (col, cell) of labels spanning the cut, left to right
        for r, col, c in _place(body):
            if r < cut < r + c.rs:
                i = first[r].index(c)
                first[r][i] = C(c.text, cut - r, c.cs, c.key)
                carried.append((col, C("" if mode == "empty" else c.text, r + c.rs - cut, c.cs)))
        if carried and mode != "omit":
            second[0] = [c for _, c in sorted(carried, key=lambda x: x[0])] + second[0]
        out.append((heading, rows[:head] + first))
        out.append(("", second))
    return out


def _sums(truth: Truth, keys: list[str]) -> list[str]:
    """The column sums of the rows ``keys`` of 表三 (printed by a subtotal row)."""
    cols = [c for c, _ in schema.APPLICANT_COLUMNS]
    return [str(sum(int(truth.tables["applications"][k][c]) for k in keys)) for c in cols]


def subtotal_rows(truth: Truth, grids: Grids, rng: random.Random) -> Grids:
    """Totals the template does not have, in hand-typed tables: in 表三 each group's heading
    （三）不予公开 on a row of its own printing the group's subtotals, or a 小计 row after the
    group; in 表四 a 合计 column after the fifteen (the three groups' totals added); in 表二 a 合计
    row under 规章 and 规范性文件."""
    groups = {}
    for key, group, _ in _app_rows(truth):
        if group:
            groups.setdefault(group, []).append(key)
    style = rng.choice(("heading", "xiaoji"))
    out = []
    for heading, rows in grids:
        new = []
        if heading.startswith("三"):
            for row in rows:
                keyed = [c for c in row if c.key]
                key = keyed[0].key.split(".")[1] if keyed else None
                group = next((g for g, ks in groups.items() if key in ks), None)
                if group and key == groups[group][0] and style == "heading":
                    label = GROUP_LABELS[group]
                    new.append([C(label)] + [C(v) for v in _sums(truth, groups[group])])
                    new.append([C(row[0].text.replace(label, ""))] + keyed)
                    continue
                new.append(row)
                if group and key == groups[group][-1] and style == "xiaoji":
                    new.append([C(rng.choice(("小计", "小 计", "合计")))] + [C(v) for v in _sums(truth, groups[group])])
        elif heading.startswith("四"):
            head = _height_of_header(rows)
            total = sum(int(truth.tables["reviews"][g]["total"]) for g, _ in schema.REVIEW_ROWS)
            new = [list(r) for r in rows]
            new[0].append(C("合计"))
            for r in new[head:]:
                r.append(C(str(total)))
        else:
            for row in rows:
                new.append(row)
                keyed = [c for c in row if c.key]
                if keyed and keyed[0].key.startswith("active.normative_docs."):
                    cols = [c.key.split(".")[2] for c in keyed]
                    new.append([C("合计")] + [C(str(sum(int(truth.tables["active"][r][c]) for r in ("rules", "normative_docs"))))
                                              for c in cols])
        out.append((heading, new))
    return out


def _change(rng: random.Random, now: int, last: int) -> str:
    d = now - last
    return rng.choice((f"{d:+d}", str(d), f"{(d / last * 100) if last else 0:.1f}%", "增加" + str(d) if d > 0 else "减少" + str(-d)))


def comparison_columns(truth: Truth, grids: Grids, rng: random.Random) -> Grids:
    """Last year's figures beside this year's: 表三 with 上年 and 同比 columns after 总计; 表二's
    one-column blocks (2021) as 本年 | 上年 | 增减 (or 上年 | 本年 | 增减); 表四 as two value rows,
    本年度 and 上年度 (in either order), under a label column."""
    year = truth.year
    last_words = rng.choice((("上年总计", "同比增减"), ("上年同期", "增减"), (f"{year - 1}年", "同比"), ("上年数", "增减情况")))
    out = []
    for heading, rows in grids:
        head = _height_of_header(rows)
        new = [list(r) for r in rows]
        if heading.startswith("三"):
            if any(c.rs == head and head > 1 for c in new[0]):  # the official merged header
                new[0] += [C(last_words[0], rs=head), C(last_words[1], rs=head)]
            else:
                row = next(r for r in new[:head] if any(c.text == "总计" for c in r))
                row += [C(last_words[0]), C(last_words[1])]
            for r in new[head:]:
                keyed = [c for c in r if c.key]
                now = int(truth.number(*keyed[-1].key.split(".")))
                last = max(0, now + rng.randint(-5, 5)) if rng.random() < 0.7 else rng.randint(0, 40)
                r += [C(str(last)), C(_change(rng, now, last))]
        elif heading.startswith("二") and truth.template == "2021":
            last_first = False
            for i, r in enumerate(new):
                keyed = [c for c in r if c.key]
                if len(r) == 2 and r[0].text == "信息内容":
                    word = r[1].text
                    unit = "（单位：万元）" if "万元" in word else ""
                    base = word.replace("本年", "").replace("（单位：万元）", "")
                    last_first = rng.random() < 0.3  # 上年 | 本年 | 增减
                    cols = [C(word), C(f"上年{base}{unit}")]
                    new[i] = [r[0], *(cols[::-1] if last_first else cols), C(rng.choice(("增减", "同比增减", "比上年增减")))]
                elif len(keyed) == 1 and len(r) == 2:
                    now = truth.number(*keyed[0].key.split("."))
                    last = max(0, int(now) + rng.randint(-20, 20))
                    cols = [C(keyed[0].text, key=keyed[0].key), C(str(last))]
                    new[i] = [r[0], *(cols[::-1] if last_first else cols), C(_change(rng, int(now), last))]
        elif heading.startswith("四"):
            prev = []
            for _ in schema.REVIEW_ROWS:
                parts = [rng.choice((0, 0, 1, 2, 5)) for _ in schema.REVIEW_PARTS]
                prev += [str(p) for p in parts] + [str(sum(parts))]
            label = rng.choice(("年度", "", "项目"))
            new[0].insert(0, C(label, rs=head))
            values = [C(rng.choice(("本年度", f"{year}年", "本年"))) ] + new[head]
            last = [C(rng.choice(("上年度", f"{year - 1}年", "上年")))] + [C(v) for v in prev]
            new[head:] = [values, last] if rng.random() < 0.5 else [last, values]
        out.append((heading, new))
    return out


def fuzz_comparison_columns(truth, rng):
    pr = Printer(rng, blank=0.2)
    return _any_format(truth, comparison_columns(truth, _base(truth, pr, rng), rng), rng), pr


def footnote_rows(truth: Truth, grids: Grids, rng: random.Random) -> Grids:
    """注： / 说明： rows at the foot of the tables (their text full of numbers and dates), in one
    cell across the table or as 注 | text."""
    y = truth.year
    notes = (f"注：1.本表统计时限为{y}年1月1日至{y}年12月31日；2.本年新收申请中，当面申请3件、网络申请12件。",
             "说明：表中“—”表示0，“/”表示不适用。",
             f"备注：上年结转的2件申请已于{y}年1月办结。",
             f"注：本表数据截至{y}年12月31日，单位为件。",
             "说明：1.行政复议结果维持3件；2.行政诉讼尚未审结1件。",
             "填表说明：第一项加第二项之和，等于第三项加第四项之和。")
    out = []
    for heading, rows in grids:
        w = _width(rows)
        text = rng.choice(notes)
        if rng.random() < 0.5 or w < 3:
            note = [C(text, cs=w)]
        else:
            word, _, rest = text.partition("：")
            note = [C(word + "："), C(rest, cs=w - 1)]
        out.append((heading, rows + [note]))
    return out


def column_numbers(truth: Truth, grids: Grids, rng: random.Random) -> Grids:
    """A row numbering the value columns under the header (栏次 1 2 3 …, 甲 乙 丙 1 2 …), in 表三
    and 表四."""
    style = rng.choice(("plain", "paren", "circled"))

    def num(i):
        return {"plain": str(i), "paren": f"（{i}）", "circled": "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮"[i - 1]}[style]

    out = []
    for heading, rows in grids:
        head = _height_of_header(rows)
        if heading.startswith("二") or head == len(rows):
            out.append((heading, rows))
            continue
        first = rows[head]
        keyed = [c for c in first if c.key]
        label_slots = sum(c.cs for c in first if not c.key)
        if heading.startswith("三"):
            # the first value row's label cells may span rows below: take the widest row instead
            label_slots = _width(rows) - 7
        labels = ({"栏次": [C("栏次", cs=label_slots)] if label_slots else [],
                   "甲乙": [C(t) for t in "甲乙丙"[:label_slots]],
                   "blank": [C("", cs=label_slots)] if label_slots else []}[rng.choice(("栏次", "甲乙", "blank"))])
        n = 7 if heading.startswith("三") else 15
        out.append((heading, rows[:head] + [labels + [C(num(i + 1)) for i in range(n)]] + rows[head:]))
    return out


def unit_column(truth: Truth, grids: Grids, rng: random.Random) -> Grids:
    """A 计量单位 column between the labels and the values of 表三 (`件` in every row)."""
    word = rng.choice(("计量单位", "单位"))
    out = []
    for heading, rows in grids:
        if not heading.startswith("三"):
            out.append((heading, rows))
            continue
        head = _height_of_header(rows)
        new = []
        for i, row in enumerate(rows):
            if i == 0:
                lab = [c for c in row if c.text.startswith(("（本列", "(本列"))]
                rest = [c for c in row if c not in lab]
                new.append(lab + [C(word, rs=head if any(c.rs > 1 for c in row) else 1)] + rest)
            elif i < head:
                new.append(row)  # under a merged 计量单位, or beside it in a hand-typed header
            else:
                labels = [c for c in row if not c.key]
                new.append(labels + [C(rng.choice(("件", "件", "个")))] + [c for c in row if c.key])
        out.append((heading, new))
    return out


def _markdown_class(perturb, official=None):
    """A grid class's HTML page as markdown pipe tables (markitdown's conversion): the same
    perturbation read by the text reader."""
    def fam(truth, rng):
        from markitdown import MarkItDown

        pr = Printer(rng, blank=0.2)
        base = _base(truth, pr, rng) if official is None else flat_grids(truth, pr, rng)
        grids = perturb(truth, base, rng)
        page = _html(truth, grids)
        return MarkItDown().convert_stream(io.BytesIO(page.encode()), file_extension=".html").text_content, pr

    fam.__doc__ = perturb.__doc__
    return fam


def _truth_class(perturb, formats=("html", "docx", "xlsx"), official=None):
    """A grid class whose perturbation needs the report's values (sums, last year's figures)."""
    def fam(truth, rng):
        pr = Printer(rng, blank=0.2)
        if official is None:
            grids = _base(truth, pr, rng)
        else:
            grids = official_grids(truth, pr) if official else flat_grids(truth, pr, rng)
        return _any_format(truth, perturb(truth, grids, rng), rng, formats), pr

    fam.__doc__ = perturb.__doc__
    return fam


# Renderers ---------------------------------------------------------------------------------
def _html(truth, grids, style="plain"):
    return html_page(truth, [(h, html_table(g, style)) for h, g in grids])


CSS_CLASSES = "<style>.t-table{display:table;width:100%}.t-row{display:table-row}.t-cell, .t-head{display: table-cell;border:1px solid #000}</style>"


def _css_table(rows, by_class: bool) -> str:
    """A table as <div>s with CSS display:table, inline or by class (spans cannot be printed:
    a merged cell's text in its first slot, the others empty)."""
    placed = _place(rows)
    height = max(r + c.rs for r, _, c in placed)
    width = max(col + c.cs for _, col, c in placed)
    slots = {}
    for r, col, c in placed:
        slots[r, col] = c.text
    t, tr, td = (('class="t-table"', 'class="t-row"', 'class="t-cell"') if by_class else
                 ('style="display:table;border-collapse:collapse"', 'style="display:table-row"',
                  'style="display:table-cell;border:1px solid"'))
    out = [f"<div {t}>"]
    for r in range(height):
        out.append(f"<div {tr}>")
        for col in range(width):
            out.append(f'<div {td}><span>{slots.get((r, col), "")}</span></div>')
        out.append("</div>")
    out.append("</div>")
    return "".join(out)


def _p_span_table(rows) -> str:
    def td(c):
        attrs = (f' rowspan="{c.rs}"' if c.rs > 1 else "") + (f' colspan="{c.cs}"' if c.cs > 1 else "")
        if c.key:
            pad = random.Random(hash(c.key) & 0xFFFF).choice(("&nbsp;", "", "&nbsp;&nbsp;"))
            inner = f"<p style=\"text-align:center\"><span style=\"font-family:宋体\">{pad}{c.text}</span><span></span></p>"
        else:
            inner = "".join(f"<p><span>{part}</span></p>" for part in (c.text[:4], c.text[4:]) if part)
        return f"<td{attrs} valign=\"center\">{inner or '<p><span>&nbsp;</span></p>'}</td>"
    return '<table class="MsoNormalTable" border="1">' + "".join(
        "<tr>" + "".join(td(c) for c in row) + "</tr>" for row in rows) + "</table>"


def xlsx_text_numbers(truth: Truth, grids) -> bytes:
    """XLSX whose numbers are stored as text (or as floats), merged label cells kept."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.cell(1, 1, title(truth))
    rng = random.Random(truth.year)
    top = 3
    for heading, rows in grids:
        if heading:
            ws.cell(top, 1, heading)
            top += 1
        # Some numbers typed with a decimal format (floats), the others as text.
        top += xlsx_grid(ws, top, rows, number=lambda v: float(v) if rng.random() < 0.3 else v) + 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _any_format(truth, grids, rng, formats=("html", "docx", "xlsx")):
    fmt = rng.choice(formats)
    if fmt == "html":
        return _html(truth, grids)
    if fmt == "docx":
        return docx_from(truth, grids)
    return xlsx_from(truth, [(h, g) for h, g in grids])


def _grid_class(perturb, formats=("html", "docx", "xlsx"), official=None):
    fam = _truth_class(lambda truth, grids, rng: perturb(grids, rng), formats, official)
    fam.__doc__ = perturb.__doc__
    return fam


def fuzz_number_styles(truth, rng):
    pr = StylePrinter(rng, blank=0.1)
    return _any_format(truth, _base(truth, pr, rng), rng), pr


def fuzz_css_divs(truth, rng):
    pr = Printer(rng, blank=0.2)
    grids = official_grids(truth, pr)
    by_class = rng.random() < 0.5
    page = html_page(truth, [(h, _css_table(g, by_class)) for h, g in grids])
    return page.replace("</head>", CSS_CLASSES + "</head>") if by_class else page, pr


def fuzz_text_blanks_dropped(truth, rng):
    """The text a crawler keeps of a page whose blanks are empty cells: a cell per line, the
    empty ones gone (trafilatura drops them), so a row prints fewer values than columns."""
    from archive.extract import main_text

    pr = Printer(rng, blank=0.3)
    return main_text(html_page(truth, [(h, html_table(g)) for h, g in official_grids(truth, pr)])), pr


def fuzz_p_span(truth, rng):
    pr = Printer(rng, blank=0.2)
    return html_page(truth, [(h, _p_span_table(g)) for h, g in _base(truth, pr, rng)]), pr


def fuzz_xlsx_text_numbers(truth, rng):
    pr = Printer(rng, blank=0.2)
    return xlsx_text_numbers(truth, official_grids(truth, pr)), pr


def fuzz_layout_table(truth, rng):
    """An old portal's page: the whole article inside a layout <table>, the report's tables
    nested in its cell, headers as <th>."""
    pr = Printer(rng, blank=0.2)
    page = _html(truth, _base(truth, pr, rng))
    body = page[page.index("<body>") + 6 : page.index("</body>")]
    if rng.random() < 0.5:
        body = body.replace("<td><p>信息内容</p></td>", "<th><p>信息内容</p></th>")
    return (page[: page.index("<body>") + 6] + '<table width="100%"><tr><td class="nav">首页 &gt; 政务公开</td></tr>'
            f'<tr><td id="zoom">{body}</td></tr></table></body></html>'), pr


def spacer_rows(grids: Grids, rng: random.Random) -> Grids:
    """Empty rows inside the tables (a typist's spacing), one or two a table."""
    out = []
    for heading, rows in grids:
        head = _height_of_header(rows)
        new = list(rows)
        w = _width(rows)
        for _ in range(rng.randint(1, 2)):
            body = [i for i in range(head + 1, len(new)) if not _crosses(new[head:], i - head)]
            if body:
                at = rng.choice(body)
                new.insert(at, [C("") for _ in range(w)] if rng.random() < 0.5 else [C("", cs=w)])
        out.append((heading, new))
    return out


def sheet_per_table(truth: Truth, grids) -> bytes:
    """XLSX with a sheet per table (named 表二, 表三, 表四), the title on the first."""
    import openpyxl

    wb = openpyxl.Workbook()
    for n, (heading, rows) in enumerate(grids):
        ws = wb.active if n == 0 else wb.create_sheet()
        ws.title = f"表{'二三四'[n]}"
        top = 1
        if n == 0:
            ws.cell(1, 1, title(truth))
            top = 3
        ws.cell(top, 1, heading)
        top += 1
        xlsx_grid(ws, top, rows)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def fuzz_sheet_per_table(truth, rng):
    pr = Printer(rng, blank=0.2)
    return sheet_per_table(truth, _base(truth, pr, rng)), pr


def _docx_combo(truth, rng):
    """Several perturbations at once, in a DOCX."""
    pr = Printer(rng, blank=0.2)
    grids = _base(truth, pr, rng)
    for p in rng.sample(COMBINABLE, rng.randint(1, 3)):
        grids = p(grids, rng)
    return docx_from(truth, grids), pr


def _libreoffice(source_fam, suffix, target):
    def fam(truth, rng):
        from crawler.simulator.documents import soffice_convert

        data, pr = source_fam(truth, rng)
        return soffice_convert(data, suffix, target), pr

    return fam


def _docx_official(truth, rng):
    pr = Printer(rng, blank=0.2)
    return docx_from(truth, _base(truth, pr, rng)), pr


def _combo(truth, rng):
    """Several perturbations at once."""
    pr = StylePrinter(rng, blank=0.2) if rng.random() < 0.3 else Printer(rng, blank=0.2)
    grids = _base(truth, pr, rng)
    for p in rng.sample(COMBINABLE, rng.randint(2, 4)):
        grids = p(grids, rng)
    return _any_format(truth, grids, rng), pr


COMBINABLE = [seq_column, remark_column, unit_caption, label_variants, reviews_transposed, active_reordered]

FUZZ = {
    "seq_column": _grid_class(seq_column),
    "remark_column": _grid_class(remark_column),
    "unit_caption": _grid_class(unit_caption),
    "label_variants": _grid_class(label_variants),
    "reviews_transposed": _grid_class(reviews_transposed),
    "active_reordered": _grid_class(active_reordered),
    "active_heading_column": _grid_class(active_heading_column),
    "one_table": _grid_class(one_table),
    "number_styles": fuzz_number_styles,
    "page_split": _grid_class(page_split, formats=("html", "docx")),
    "css_divs": fuzz_css_divs,
    "p_span": fuzz_p_span,
    "layout_table": fuzz_layout_table,
    "spacer_rows": _grid_class(spacer_rows),
    "sheet_per_table": fuzz_sheet_per_table,
    "text_blanks_dropped": fuzz_text_blanks_dropped,
    "xlsx_text_numbers": fuzz_xlsx_text_numbers,
    "combo": _combo,
    "xls_libreoffice": _libreoffice(fuzz_xlsx_text_numbers, ".xlsx", "xls"),
    "ods_libreoffice": _libreoffice(fuzz_xlsx_text_numbers, ".xlsx", "ods"),
    "odt_libreoffice": _libreoffice(_docx_official, ".docx", "odt"),
    "pdf_libreoffice": _libreoffice(_docx_combo, ".docx", "pdf"),
    "number_units": fuzz_number_units,
    "markdown_number_units": fuzz_markdown_number_units,
    "text_number_units": fuzz_text_number_units,
    "blank_marks": fuzz_blank_marks,
    "page_break_no_header": _grid_class(page_break_no_header),
    "subtotal_rows": _truth_class(subtotal_rows, official=False),
    "comparison_columns": _truth_class(comparison_columns),
    "footnote_rows": _truth_class(footnote_rows),
    "column_numbers": _truth_class(column_numbers),
    "unit_column": _truth_class(unit_column),
    "md_comparison_columns": _markdown_class(comparison_columns),
    "md_subtotal_rows": _markdown_class(subtotal_rows, official=False),
    "md_footnote_rows": _markdown_class(footnote_rows),
    "md_column_numbers": _markdown_class(column_numbers),
    "md_unit_column": _markdown_class(unit_column),
}
SLOW_FUZZ = ("xls_libreoffice", "ods_libreoffice", "odt_libreoffice", "pdf_libreoffice")


def render_fuzz(truth: Truth, name: str, rng: random.Random) -> Rendered:
    doc, pr = FUZZ[name](truth, rng)
    data = doc if isinstance(doc, bytes) else doc.encode("utf-8")
    return Rendered(name, data, set(pr.blanks))
