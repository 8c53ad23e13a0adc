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
- pdf_libreoffice: a DOCX with one to three of the perturbations above, printed to PDF by LibreOffice.
"""
from __future__ import annotations

import io
import random
import re

from archive import schema
from tests.layouts import (C, Printer, Rendered, Truth, _place, docx_from, flat_grids, html_page, html_table,
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
    def fam(truth, rng):
        pr = Printer(rng, blank=0.2)
        if official is None:
            grids = _base(truth, pr, rng)
        else:
            grids = official_grids(truth, pr) if official else flat_grids(truth, pr, rng)
        return _any_format(truth, perturb(grids, rng), rng, formats), pr

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
}
SLOW_FUZZ = ("xls_libreoffice", "ods_libreoffice", "odt_libreoffice", "pdf_libreoffice")


def render_fuzz(truth: Truth, name: str, rng: random.Random) -> Rendered:
    doc, pr = FUZZ[name](truth, rng)
    data = doc if isinstance(doc, bytes) else doc.encode("utf-8")
    return Rendered(name, data, set(pr.blanks))
