"""Random reports with known values, rendered in each text layout met in the wild.

`random_report(rng)` makes a consistent report (all identities hold, as in a careful source);
`render(truth, layout, rng)` prints it as one of LAYOUTS:

- pdf_text: a PDF text layer; values space-separated, long labels wrapped, a row's last value
  wrapped onto the next line, row-group labels one character per line, a page footer `- 3 -`
  inside 表三 (like 000_).
- markdown_tabs: markdown headings and tab-separated rows (like 001_).
- tabs: tab-separated, the (七)总计 row shifted one column (like 002_).
- pipes: markdown pipe tables, 表三 broken into several tables at page breaks, one label broken
  across the break (like 003_).
- cell_per_line: every cell on its own line, indented with tabs (like 004_).
- glued: a crawler dump, the body on one line and no separator between cells (like pingtan_*).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from archive import schema

LAYOUTS = ("pdf_text", "markdown_tabs", "tabs", "pipes", "cell_per_line", "glued")
ORGANS = ("慈周寨镇", "偃师区翟镇镇人民政府", "淮安市人民政府", "平潭综合实验区", "文水县刘胡兰镇")
GROUP_LABELS = {
    "denied": "（三）不予公开",
    "unavailable": "（四）无法提供",
    "unprocessed": "（五）不予处理",
    "other": "（六）其他处理",
}
ACTIVE_LABELS_2021 = {"rules": "规章", "normative_docs": "行政规范性文件", "licensing": "行政许可",
                      "punishment": "行政处罚", "enforcement": "行政强制", "fees": "行政事业性收费"}
ACTIVE_LABELS_2019 = {"rules": "规章", "normative_docs": "规范性文件", "licensing": "行政许可",
                      "other_services": "其他对外管理服务事项", "punishment": "行政处罚",
                      "enforcement": "行政强制", "fees": "行政事业性收费", "procurement": "政府集中采购"}
# 表二 blocks: (heading, header labels, rows), per template.
BLOCKS_2021 = (
    ("第二十条第（一）项", ("本年制发件数", "本年废止件数", "现行有效件数"), ("rules", "normative_docs")),
    ("第二十条第（五）项", ("本年处理决定数量",), ("licensing",)),
    ("第二十条第（六）项", ("本年处理决定数量",), ("punishment", "enforcement")),
    ("第二十条第（八）项", ("本年收费金额（单位：万元）",), ("fees",)),
)
BLOCKS_2019 = (
    ("第二十条第（一）项", ("本年新制作数量", "本年新公开数量", "对外公开总数量"), ("rules", "normative_docs")),
    ("第二十条第（五）项", ("上一年项目数量", "本年增/减", "处理决定数量"), ("licensing", "other_services")),
    ("第二十条第（六）项", ("上一年项目数量", "本年增/减", "处理决定数量"), ("punishment", "enforcement")),
    ("第二十条第（八）项", ("上一年项目数量", "本年增/减"), ("fees",)),
    ("第二十条第（九）项", ("采购项目数量", "采购总金额"), ("procurement",)),
)
REVIEW_HEADER = (
    "行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计",
    "未经复议直接起诉", "复议后起诉",
    *("结果维持", "结果纠正", "其他结果", "尚未审结", "总计") * 2,
)


@dataclass
class Truth:
    """A report's known values: table -> row -> column -> printed text."""

    template: str
    year: int
    organ: str
    tables: dict = field(default_factory=dict)
    variant: str | None = None  # "mixed": 2021 表二 with the 2019 表三

    def number(self, table, row, col) -> Decimal:
        return Decimal(self.tables[table][row][col].replace("元", ""))

    def cells(self):
        for table, rows in self.tables.items():
            for row, cols in rows.items():
                for col in cols:
                    yield table, row, col


# Values -----------------------------------------------------------------------------------------
def _count(rng: random.Random, big: bool = False) -> int:
    r = rng.random()
    if r < 0.55:
        return 0
    if r < 0.85:
        return rng.randint(1, 9)
    return rng.randint(10, 999 if big else 99)


def _application_rows(template: str) -> list[str]:
    rows = [k for k, _, _ in schema.APPLICATION_ROWS]
    drop = ("other",) if template == "2021" else schema.OTHER_2021
    return [k for k in rows if k not in drop]


def random_applications(rng: random.Random, template: str) -> dict:
    results = schema.RESULT_ROWS_2021 if template == "2021" else schema.RESULT_ROWS_2019
    parts = schema.APPLICANT_PARTS
    table = {r: {c: _count(rng, c == "natural_person") for c in parts} for r in results}
    table["total_processed"] = {c: sum(table[r][c] for r in results) for c in parts}
    table["carried_over"] = {c: rng.randint(0, min(3, table["total_processed"][c])) for c in parts}
    table["carried_forward"] = {c: rng.choice((0, 0, 1, 2, 5)) for c in parts}
    table["new_received"] = {
        c: table["total_processed"][c] + table["carried_forward"][c] - table["carried_over"][c] for c in parts
    }
    for cols in table.values():
        cols["total"] = sum(cols[c] for c in parts)
    return {r: {c: str(table[r][c]) for c, _ in schema.APPLICANT_COLUMNS} for r in _application_rows(template)}


def random_reviews(rng: random.Random) -> dict:
    out = {}
    for group, _ in schema.REVIEW_ROWS:
        vals = {c: _count(rng) for c in schema.REVIEW_PARTS}
        vals["total"] = sum(vals.values())
        out[group] = {c: str(vals[c]) for c, _ in schema.REVIEW_COLUMNS}
    return out


def _decimal(rng: random.Random, digits: int) -> str:
    whole = rng.randint(0, 10**rng.randint(1, 5))
    if digits == 0:
        return str(whole)
    return f"{whole}.{rng.randint(1, 10**digits - 1):0{digits}d}".rstrip("0").rstrip(".") or "0"


def random_active(rng: random.Random, template: str) -> dict:
    cols = schema.ACTIVE_2021 if template == "2021" else schema.ACTIVE_2019
    out = {}
    for row, keys in cols.items():
        out[row] = {}
        for col in keys:
            if col == "amount" and row == "fees":
                out[row][col] = _decimal(rng, rng.randint(0, 6))
            elif col == "amount":
                out[row][col] = _decimal(rng, 2) + "元"
            elif col == "change":
                out[row][col] = str(rng.randint(-30, 30))
            else:
                out[row][col] = str(_count(rng, big=True) if rng.random() < 0.5 else rng.randint(0, 5000))
    return out


def random_report(rng: random.Random, mixed: float = 0.0) -> Truth:
    """A consistent report: 2021 (half), 2019, or with probability ``mixed`` the mixed variant
    (2021 表二, the 2019 表三 with its single （六）其他处理 row)."""
    template = rng.choice(("2021", "2021", "2019"))
    variant = "mixed" if template == "2021" and rng.random() < mixed else None
    year = rng.randint(2019, 2020) if template == "2019" else rng.randint(2021, 2025)
    truth = Truth(template, year, rng.choice(ORGANS), variant=variant)
    truth.tables = {
        "active": random_active(rng, template),
        "applications": random_applications(rng, "2019" if variant else template),
        "reviews": random_reviews(rng),
    }
    return truth


# Rows as printed ---------------------------------------------------------------------------------
def application_lines(truth: Truth) -> list[tuple[list[str], list[str]]]:
    """(label cells, value cells) per printed row, group labels on the first row of a group."""
    out, seen = [], set()
    labels = {k: (label, group) for k, label, group in schema.APPLICATION_ROWS}
    for i, (row, values) in enumerate(truth.tables["applications"].items()):
        label, group = labels[row]
        cells = []
        if row == "granted":
            cells.append("三、本年度办理结果")
        if group and group not in seen:
            seen.add(group)
            cells.append(GROUP_LABELS[group])
        cells.append(label)
        out.append((cells, list(values.values())))
    return out


def active_blocks(truth: Truth):
    blocks = BLOCKS_2021 if truth.template == "2021" else BLOCKS_2019
    labels = ACTIVE_LABELS_2021 if truth.template == "2021" else ACTIVE_LABELS_2019
    for heading, header, rows in blocks:
        yield heading, header, [(labels[r], list(truth.tables["active"][r].values())) for r in rows]


def review_values(truth: Truth) -> list[str]:
    return [v for g, _ in schema.REVIEW_ROWS for v in truth.tables["reviews"][g].values()]


def title(truth: Truth) -> str:
    return f"{truth.organ}{truth.year}年政府信息公开工作年度报告"


def narrative(truth: Truth) -> str:
    n = truth.tables["applications"]["new_received"]["total"]
    out = f"{truth.year}年，全年共受理政府信息公开申请{n}件，均在法定期限内答复。"
    docs = truth.tables["active"]["normative_docs"]
    if truth.year % 2:  # half the reports restate their 规范性文件 figures, as many real ones do
        if truth.template == "2021":
            out += f"本年制发规范性文件{docs['issued']}件，现行有效行政规范性文件{docs['in_force']}件。"
        else:
            out += f"全年新制作规范性文件{docs['made']}件，对外公开总数量{docs['total_published']}件。"
    return out


APPLICANT_HEADER = ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况",
                    "自然人", "法人或其他组织", "总计", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")


# Layouts ---------------------------------------------------------------------------------------
def render_pdf_text(truth: Truth, rng: random.Random) -> str:
    out = [title(truth)[:14], title(truth)[14:], "", "一、总体情况", narrative(truth), "", "二、主动公开政府信息情况"]
    for heading, header, rows in active_blocks(truth):
        out += [heading, "信息内容 " + " ".join(header), ""]
        out += [f"{label} {' '.join(v)}" for label, v in rows]
    out += ["", "三、收到和处理政府信息公开申请情况", "（本列数据的勾稽关系为：第一项加第二项之和，等",
            "于第三项加第四项之和）", "申请人情况", "自然", "人", "法人或其他组织", "总计商业", "企业",
            "科研", "机构", "社会", "公益", "组织", "法律", "服务", "机构", "其他", ""]
    lines = application_lines(truth)
    footer_at = rng.randrange(len(lines))
    for i, (cells, values) in enumerate(lines):
        for cell in cells[:-1]:
            out += list(cell) if cell.startswith("三、") else [cell[:3], cell[3:]]
        label = cells[-1]
        if len(label) > 16:  # a long label wraps, and its last value with it
            out += [label[:16], label[16:], "", " ".join(values[:-1]), values[-1]]
        else:
            out.append(f"{label} {' '.join(values)}")
        if i == footer_at:
            out += ["", "- 3 -", ""]
    out += ["", "四、政府信息公开行政复议、行政诉讼情况", "行政复议 行政诉讼"]
    out += ["结果", "维持", "结果", "纠正", "其他", "结果", "尚未", "审结", "总计", "未经复议直接起诉 复议后起诉"]
    out += ["结果", "维持", "结果", "纠正", "其他", "结果", "尚未", "审结", "总计"] * 2
    out += [" ".join(review_values(truth)), "", "五、存在的主要问题及改进情况", "无。"]
    return "\n".join(out) + "\n"


def _tab_tables(truth: Truth, shift_total: bool) -> list[str]:
    out = []
    for heading, header, rows in active_blocks(truth):
        width = 4
        out.append(heading + "\t" * (width - 1))
        out.append("\t".join(("信息内容", *header)) + "\t" * (width - 1 - len(header)))
        out += ["\t".join((label, *v)) + "\t" * (width - 1 - len(v)) for label, v in rows]
    out.append("")
    out.append("(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)\t\t申请人情况\t\t\t\t\t\t总计\t")
    out.append("\t\t自然人\t法人或其他组织\t\t\t\t\t\t")
    out.append("\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t\t")
    for cells, values in application_lines(truth):
        label = cells[-1]
        lead = "\t".join(cells[:-1])
        if not cells[:-1] and label[0].isdigit():
            lead = "\t"
        row = f"{lead}\t{label}\t" + "\t".join(values) + "\t"
        if label == "（七）总计" and shift_total:
            row = f"{label}\t" + "\t".join(values) + "\t\t"
        out.append(row)
    return out


def _tab_reviews(truth: Truth) -> list[str]:
    return [
        "行政复议\t\t\t\t\t行政诉讼" + "\t" * 9,
        "结果 维持\t结果 纠正\t其他 结果\t尚未 审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉\t\t\t\t",
        "\t" * 5 + "\t".join(("结果 维持", "结果 纠正", "其他 结果", "尚未 审结", "总计") * 2),
        "\t".join(review_values(truth)),
    ]


def _tab_report(truth: Truth, marks: tuple[str, ...], shift_total: bool) -> str:
    """A report whose tables are tab-separated; ``marks`` prefix the title and the headings
    (markdown levels in 001_'s layout, nothing in 002_'s)."""
    t, h2, h3, h4 = marks
    out = ["", f"{t}{title(truth)}", "", f"{h2}一、总体情况", "", narrative(truth), "", f"{h2}二、主动公开政府信息情况", ""]
    tabs = _tab_tables(truth, shift_total=shift_total)
    cut = tabs.index("")
    out += tabs[:cut] + ["", f"{h3}三、收到和处理政府信息公开申请情况", ""] + tabs[cut + 1 :]
    out += ["", f"{h4}四、政府信息公开行政复议、行政诉讼情况", ""] + _tab_reviews(truth)
    out += ["", f"{h4}五、存在的主要问题及改进情况", "", "无。"]
    return "\n".join(out)


def render_markdown_tabs(truth: Truth, rng: random.Random) -> str:
    return _tab_report(truth, ("# ", "## ", "### ", "#### "), shift_total=False)


def render_tabs(truth: Truth, rng: random.Random) -> str:
    return _tab_report(truth, ("", "", "", ""), shift_total=True)


def _pipe(cells) -> str:
    return "| " + " | ".join(cells) + " |"


def _rule(n: int) -> str:
    return "|" + "|".join("-" * (3 if i % 2 else 2) for i in range(n)) + "|"


def render_pipes(truth: Truth, rng: random.Random) -> str:
    out = ["", title(truth), "", narrative(truth), "", "二、主动公开政府信息情况", ""]
    first = True
    for heading, header, rows in active_blocks(truth):
        out.append(_pipe((heading, "", "", "")))
        if first:
            out.append(_rule(4))
            first = False
        out.append(_pipe(("信息内容", *header, *[""] * (3 - len(header)))))
        out += [_pipe((label, *v, *[""] * (3 - len(v)))) for label, v in rows]
    out += ["", "三、收到和处理政府信息公开申请情况", ""]
    out.append(_pipe(("(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)", "", "申请人情况", "", "", "", "", "", "总计", "")))
    out.append(_rule(10))
    out.append(_pipe(("", "", "自然人", "法人或其他组织", "", "", "", "", "", "")))
    out.append(_pipe(("", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "", "")))
    lines = application_lines(truth)
    breaks = set(rng.sample(range(3, len(lines)), 2))
    for i, (cells, values) in enumerate(lines):
        label = cells[-1]
        lead = cells[:-1] or [""]
        if i in breaks and len(label) > 8:  # a page break inside the label
            out.append(_pipe((*lead, label[:-1], *values)))
            out += ["", _pipe([""] * 9), _rule(9), _pipe(("", label[-1], *[""] * 7))]
            continue
        if i in breaks:
            out += ["", _pipe([""] * 9), _rule(9)]
        out.append(_pipe((*lead, label, *values)))
    out += ["", "四、政府信息公开行政复议、行政诉讼情况", "", _pipe(("", "")), _rule(2), _pipe(("行政复议", "行政诉讼")), _rule(2), ""]
    out.append(_pipe(("结果 维持", "结果 纠正", "其他 结果", "尚 未 审 结", "总 计", "未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", "")))
    out.append(_rule(15))
    out.append(_pipe(("",) * 5 + ("结 果 维 持", "结 果 纠 正", "其 他 结 果", "尚 未 审 结", "总 计") * 2))
    out.append(_pipe(review_values(truth)))
    out += ["", "五、存在的主要问题及改进情况", "", "无。"]
    return "\n".join(out)


def render_cell_per_line(truth: Truth, rng: random.Random) -> str:
    out = ["", title(truth), "", "一、总体情况", narrative(truth), "", "二、主动公开政府信息情况", ""]
    for heading, header, rows in active_blocks(truth):
        out += [f"\t{heading}", "", "\t信息内容", *[f"\t{h}" for h in header], ""]
        for label, v in rows:
            out += [f"\t{label}", *[f"\t{x}" for x in v], ""]
    out += ["", "三、收到和处理政府信息公开申请情况", "", "\t（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
            "\t申请人情况", "", "\t", "\t自然人", "\t法人或其他组织", "\t总计", "", "\t", "\t",
            "\t商业", "企业", "\t科研", "机构", "\t社会公益组织", "\t法律服务机构", "\t其他", "\t", ""]
    for cells, values in application_lines(truth):
        out += [f"\t{c}" for c in cells] + [f"\t{v}" for v in values] + ["", "\t"]
    out += ["", "四、政府信息公开行政复议、行政诉讼情况", ""]
    out += [f"\t{h}" for h in REVIEW_HEADER] + [""] + [f"\t{v}" for v in review_values(truth)]
    out += ["", "五、存在的主要问题及改进情况", "无。"]
    return "\n".join(out)


def _stray_space(rng: random.Random, label: str) -> str:
    """Crawler dumps keep the odd space of the page source inside a label (`本年度办 理结果`)."""
    if len(label) > 4 and rng.random() < 0.3:
        i = rng.randrange(2, len(label) - 1)
        return label[:i] + " " + label[i:]
    return label


def render_glued(truth: Truth, rng: random.Random) -> str:
    head = [f"标题: {title(truth)}", "发布时间: 2025-03-10 15:35", "文号: ", "==================== 正文 ===================="]
    body = [f"{narrative(truth)}一、总体情况 略。二、主动公开政府信息情况"]
    for heading, header, rows in active_blocks(truth):
        body.append(heading + "信息内容" + "".join(header))
        body += [label + "".join(v) for label, v in rows]
    body.append("三、收到和处理政府信息公开申请情况" + "".join(APPLICANT_HEADER))
    for cells, values in application_lines(truth):
        body.append("".join(_stray_space(rng, c) for c in cells) + "".join(values))
    body.append("四、政府信息公开行政复议、行政诉讼情况" + "".join(REVIEW_HEADER) + "".join(review_values(truth)))
    body.append("五、存在的主要问题及改进情况无。")
    return "\n".join(head) + "\n" + "".join(body) + "\n"


RENDERERS = {
    "pdf_text": render_pdf_text,
    "markdown_tabs": render_markdown_tabs,
    "tabs": render_tabs,
    "pipes": render_pipes,
    "cell_per_line": render_cell_per_line,
    "glued": render_glued,
}


def render(truth: Truth, layout: str, rng: random.Random) -> str:
    return RENDERERS[layout](truth, rng)


# Layout families: every format, the layouts of the wild ---------------------------------------
# `render_family(truth, family, rng)` prints a report as one of FAMILIES and returns a Rendered
# document (the bytes a portal would serve, and the cells it printed blank). The families cover
# what real reports do to the official tables (see the module docstring of each builder).
import html as _html
import io as _io
import re as _re


@dataclass
class Rendered:
    family: str
    data: bytes
    blanks: set = field(default_factory=set)  # "table.row.col" printed blank, -, / or 无 (a zero)


@dataclass
class C:
    """One printed table cell of a family's grid."""

    text: str
    rs: int = 1
    cs: int = 1
    key: str | None = None  # "table.row.col" for a value cell


class Printer:
    """How a family prints the values: which zeros it leaves blank and how numbers look."""

    def __init__(self, rng: random.Random, blank: float = 0.0, blank_marks=("",), thousands: bool = False,
                 fullwidth: float = 0.0, unit: float = 0.0, sign_words: bool = False, ocr: float = 0.0):
        self.rng, self.blank, self.blank_marks = rng, blank, blank_marks
        self.thousands, self.fullwidth, self.unit, self.sign_words, self.ocr = thousands, fullwidth, unit, sign_words, ocr
        self.blanks: set[str] = set()

    def __call__(self, key: str, text: str) -> str:
        rng = self.rng
        table, row, col = key.split(".")
        count = table != "active" or col not in ("amount", "change")
        if text == "0" and rng.random() < self.blank:
            self.blanks.add(key)
            return rng.choice(self.blank_marks)
        if col == "change" and self.sign_words and text not in ("0",):
            text = f"减{text[1:]}" if text.startswith("-") else f"增{text}"
        elif self.thousands and _re.fullmatch(r"\d{4,}", text):
            text = f"{int(text):,}"
        if count and rng.random() < self.unit:
            text += "件"
        if self.ocr and count and rng.random() < self.ocr:
            text = text.replace("0", "O").replace("1", "l")
        if rng.random() < self.fullwidth:
            text = text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        return text


def _active_spec(truth: Truth):
    blocks = BLOCKS_2021 if truth.template == "2021" else BLOCKS_2019
    labels = ACTIVE_LABELS_2021 if truth.template == "2021" else ACTIVE_LABELS_2019
    for heading, header, rows in blocks:
        yield heading, header, [(r, labels[r], list(truth.tables["active"][r].items())) for r in rows]


def _app_rows(truth: Truth):
    """(key, group, label) of the printed 表三 rows after the header."""
    labels = {k: (label, group) for k, label, group in schema.APPLICATION_ROWS}
    return [(k, labels[k][1], labels[k][0]) for k in truth.tables["applications"]]


def official_grids(truth: Truth, pr: Printer, active_spans=None) -> list[tuple[str, list[list[C]]]]:
    """The three tables with the official merged cells (report-format.md)."""
    t2: list[list[C]] = []
    for heading, header, rows in _active_spec(truth):
        t2.append([C(heading, cs=4)])
        spans = [1] * (len(header) - 1) + [4 - len(header)]
        t2.append([C("信息内容")] + [C(h, cs=s) for h, s in zip(header, spans)])
        for key, label, vals in rows:
            vspans = active_spans(spans) if active_spans else spans
            t2.append([C(label)] + [C(pr(f"active.{key}.{c}", v), cs=s, key=f"active.{key}.{c}")
                                    for (c, v), s in zip(vals, vspans)])
    t3: list[list[C]] = [
        [C(APPLICANT_HEADER[0], rs=3, cs=3), C("申请人情况", cs=7)],
        [C("自然人", rs=2), C("法人或其他组织", cs=5), C("总计", rs=2)],
        [C(t) for t in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")],
    ]
    rows = _app_rows(truth)
    results = [r for r in rows if r[0] not in ("new_received", "carried_over", "carried_forward")]
    seen = set()
    for i, (key, group, label) in enumerate(rows):
        vals = [C(pr(f"applications.{key}.{c}", v), key=f"applications.{key}.{c}")
                for c, v in truth.tables["applications"][key].items()]
        if key in ("new_received", "carried_over", "carried_forward"):
            t3.append([C(label, cs=3)] + vals)
            continue
        cells = []
        if key == "granted":
            cells.append(C("三、本年度办理结果", rs=len(results)))
        if group is None:
            cells.append(C(label, cs=2))
        else:
            if group not in seen:
                seen.add(group)
                cells.append(C(GROUP_LABELS[group], rs=sum(1 for r in results if r[1] == group)))
            cells.append(C(label))
        t3.append(cells + vals)
    outcomes = [label for _, label in schema.REVIEW_COLUMNS]
    t4 = [
        [C("行政复议", cs=5), C("行政诉讼", cs=10)],
        [C(o, rs=2) for o in outcomes] + [C("未经复议直接起诉", cs=5), C("复议后起诉", cs=5)],
        [C(o) for o in outcomes * 2],
        [C(pr(f"reviews.{g}.{c}", v), key=f"reviews.{g}.{c}") for g, _ in schema.REVIEW_ROWS
         for c, v in truth.tables["reviews"][g].items()],
    ]
    return [("二、主动公开政府信息情况", t2), ("三、收到和处理政府信息公开申请情况", t3),
            ("四、政府信息公开行政复议、行政诉讼情况", t4)]


def flat_grids(truth: Truth, pr: Printer, rng: random.Random) -> list[tuple[str, list[list[C]]]]:
    """Tables typed by hand in Word: no merged cell at all, group labels on the first row of
    their group only, the applicant header over three rows with its columns left-aligned, 表四's
    headers `行政复议 | 行政诉讼` over `结果维持 … 总计 | 未经复议直接起诉 | 复议后起诉` over the five
    outcomes twice, short rows (trailing empty cells left out)."""
    t2: list[list[C]] = []
    for heading, header, rows in _active_spec(truth):
        t2.append([C(heading)])
        t2.append([C("信息内容")] + [C(h) for h in header])
        for key, label, vals in rows:
            t2.append([C(label)] + [C(pr(f"active.{key}.{c}", v), key=f"active.{key}.{c}") for c, v in vals])
    t3 = [
        [C(APPLICANT_HEADER[0]), C("申请人情况")],
        [C("")] * rng.choice((0, 1)) + [C("自然人"), C("法人或其他组织"), C("总计")],
        [C("")] * rng.choice((0, 2)) + [C(t) for t in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")],
    ]
    seen = set()
    for key, group, label in _app_rows(truth):
        head = []
        if key == "granted":
            head.append("三、本年度办理结果")
        if group and group not in seen:
            seen.add(group)
            head.append(GROUP_LABELS[group])
        head.append(label)
        vals = [C(pr(f"applications.{key}.{c}", v), key=f"applications.{key}.{c}")
                for c, v in truth.tables["applications"][key].items()]
        t3.append([C("".join(head))] + vals)
    outcomes = [label for _, label in schema.REVIEW_COLUMNS]
    third = [C("")] * 5 + [C(o) for o in outcomes * 2] if rng.random() < 0.5 else [C(o) for o in outcomes * 2]
    t4 = [
        [C("行政复议"), C("行政诉讼")],
        [C(o) for o in outcomes] + [C("未经复议直接起诉"), C("复议后起诉")],
        third,
        [C(pr(f"reviews.{g}.{c}", v), key=f"reviews.{g}.{c}") for g, _ in schema.REVIEW_ROWS
         for c, v in truth.tables["reviews"][g].items()],
    ]
    return [("二、主动公开政府信息情况", t2), ("三、收到和处理政府信息公开申请情况", t3),
            ("四、政府信息公开行政复议、行政诉讼情况", t4)]


def _place(rows: list[list[C]]) -> list[tuple[int, int, C]]:
    """(row, col, cell) of every printed cell, spans expanded as HTML does."""
    taken, out = set(), []
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            out.append((r, c, cell))
            for dr in range(cell.rs):
                for dc in range(cell.cs):
                    taken.add((r + dr, c + dc))
            c += cell.cs
    return out


# HTML ---------------------------------------------------------------------------------------------
def _td(cell: C, style: str, tag: str = "td") -> str:
    text = _html.escape(cell.text)
    if style == "ie":
        attrs = (f" rowSpan={cell.rs}" if cell.rs > 1 else "") + (f" colSpan={cell.cs}" if cell.cs > 1 else "")
        return f"<{tag.upper()}{attrs} vAlign=center><P align=center><SPAN><FONT face=宋体>{text or '&nbsp;'}</FONT></SPAN></P></{tag.upper()}>"
    attrs = (f' rowspan="{cell.rs}"' if cell.rs > 1 else "") + (f' colspan="{cell.cs}"' if cell.cs > 1 else "")
    if style == "escaped":
        if not text and cell.key:
            text = "&amp;nbsp;"
        elif cell.key:
            text = f"&amp;nbsp;{text}"
    return f"<{tag}{attrs}><p>{text}</p></{tag}>"


def html_table(rows: list[list[C]], style: str = "plain", thead: int = 0) -> str:
    trs = ["<tr>" + "".join(_td(c, style) for c in row) + "</tr>" for row in rows]
    if style == "ie":
        trs = [t.replace("<tr>", "<TR>").replace("</tr>", "</TR>") for t in trs]
    body = "".join(trs[thead:])
    head = f"<thead>{''.join(trs[:thead])}</thead>" if thead else ""
    return f'<table border="1" cellspacing="0">{head}<tbody>{body}</tbody></table>'


def html_page(truth: Truth, tables: list[tuple[str, str]]) -> str:
    parts = [f"<html><head><meta charset='utf-8'><title>{title(truth)}</title></head><body>",
             f"<h1>{title(truth)}</h1>", f"<p>一、总体情况</p><p>{narrative(truth)}</p>"]
    for heading, table in tables:
        parts.append(f"<p>{heading}</p>{table}")
    parts.append("<p>五、存在的主要问题及改进情况</p><p>无。</p></body></html>")
    return "".join(parts)


def fam_html_official(truth, rng):
    pr = Printer(rng, blank=0.3)
    return html_page(truth, [(h, html_table(g)) for h, g in official_grids(truth, pr)]), pr


def fam_html_word_flat(truth, rng):
    pr = Printer(rng, blank=0.2)
    return html_page(truth, [(h, html_table(g)) for h, g in flat_grids(truth, pr, rng)]), pr


def fam_html_escaped(truth, rng):
    """Blanks double-escaped (`&amp;nbsp;` shows as `&nbsp;`), empty cells for zero, thousands
    separators, full-width digits, values with units."""
    pr = Printer(rng, blank=0.4, thousands=True, fullwidth=0.2, unit=0.2)
    return html_page(truth, [(h, html_table(g, "escaped")) for h, g in official_grids(truth, pr)]), pr


def fam_html_split(truth, rng):
    """Tables split over several <table> elements (page breaks), the header repeated or not."""
    pr = Printer(rng, blank=0.2)
    out = []
    for heading, g in official_grids(truth, pr):
        if heading.startswith("三"):
            header, body = g[:3], g[3:]
            # Cut where no rowspan crosses: after 二、上年结转 and before 四、结转下年度.
            cuts = sorted(rng.sample((2, len(body) - 1), rng.choice((1, 2))))
            pieces, last = [], 0
            for cut in cuts + [len(body)]:
                pieces.append(body[last:cut])
                last = cut
            repeat = rng.random() < 0.5
            tables = [html_table(header + pieces[0])]
            tables += [html_table((header if repeat else []) + p) for p in pieces[1:]]
            out.append((heading, "<p>&nbsp;</p>".join(tables)))
        else:
            out.append((heading, html_table(g)))
    return html_page(truth, out), pr


def _ie_spans(spans):
    return list(reversed(spans))  # the value row puts the wide cell first, the header last


def fam_html_ie(truth, rng):
    """Old IE-era markup: upper-case tags, <P><SPAN><FONT>, unquoted spans; 表二 value spans that
    disagree with the header's (values follow cell order); 表三 inside <thead>; 本年增/减 as 增5 and
    减12."""
    pr = Printer(rng, blank=0.1, sign_words=True)
    grids = official_grids(truth, pr, active_spans=_ie_spans)
    out = []
    for heading, g in grids:
        out.append((heading, html_table(g, "ie", thead=len(g) if heading.startswith("三") else 0)))
    return html_page(truth, out).replace("<p>", "<P>").replace("</p>", "</P>"), pr


def fam_md_html_fragment(truth, rng):
    """A markdown conversion that kept the tables as HTML fragments (MinerU)."""
    pr = Printer(rng, blank=0.2)
    parts = [f"# {title(truth)}", "", "## 一、总体情况", "", narrative(truth), ""]
    for heading, g in official_grids(truth, pr):
        parts += [f"## {heading}", "", html_table(g), ""]
    parts += ["## 五、存在的主要问题及改进情况", "", "无。"]
    return "\n".join(parts), pr


# Text families --------------------------------------------------------------------------------------
def _md_row(cells) -> str:
    return "| " + " | ".join(cells) + " |"


def fam_md_mineru(truth, rng):
    """A PDF→markdown conversion: one markdown table per row group with placeholder headers
    (`列1 | 列2`), group labels floating on their own lines outside the rows, a row's values
    broken over two lines, `— 3 —` page footers and `#` headings in the middle of a table; a blank
    cell is an empty cell `|  |`."""
    pr = Printer(rng, blank=0.3)
    out = [f"# {title(truth)}", "", "## 一、总体情况", "", narrative(truth), "", "## 二、主动公开政府信息情况", ""]
    for heading, header, rows in _active_spec(truth):
        out += [heading, "", _md_row([f"列{i + 1}" for i in range(4)]), _md_row(["---"] * 4)]
        out.append(_md_row(["信息内容", *header, *[""] * (3 - len(header))]))
        for key, label, vals in rows:
            cells = [pr(f"active.{key}.{c}", v) for c, v in vals]
            out.append(_md_row([label, *cells, *[""] * (3 - len(cells))]))
        out.append("")
    out += ["## 三、收到和处理政府信息公开申请情况", "", _md_row([f"列{i + 1}" for i in range(9)]), _md_row(["---"] * 9)]
    out.append(_md_row([APPLICANT_HEADER[0], "申请人情况", "", "", "", "", "", "", ""]))
    out.append(_md_row(["", "自然人", "法人或其他组织", "", "", "", "", "", "总计"]))
    out.append(_md_row(["", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "", ""]))
    group_now = None
    footer_at = rng.randrange(5, 20)
    for i, (key, group, label) in enumerate(_app_rows(truth)):
        cells = [pr(f"applications.{key}.{c}", v) for c, v in truth.tables["applications"][key].items()]
        if group != group_now:
            group_now = group
            if group:  # a new markdown table for the group, its label floating above it
                out += ["", GROUP_LABELS[group], "", _md_row([f"列{j + 1}" for j in range(8)]), _md_row(["---"] * 8)]
        if key == "granted":
            out += ["", "三、本年度办理结果", ""]
        if i == footer_at:
            out += ["", f"— {rng.randint(2, 9)} —", ""]
        if rng.random() < 0.1:
            out += [_md_row([label, *cells[:3]]), _md_row(cells[3:])]
        else:
            out.append(_md_row([label, *cells]))
        if i == footer_at + 3:
            out += ["", "# 三、收到和处理政府信息公开申请情况（续）", ""]
    out += ["", "## 四、政府信息公开行政复议、行政诉讼情况", "", _md_row([f"列{i + 1}" for i in range(15)]), _md_row(["---"] * 15)]
    outcomes = [label for _, label in schema.REVIEW_COLUMNS]
    out.append(_md_row(["行政复议", "", "", "", "", "行政诉讼", *[""] * 9]))
    out.append(_md_row([*outcomes, "未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""]))
    out.append(_md_row([""] * 5 + outcomes * 2))
    out.append(_md_row([pr(f"reviews.{g}.{c}", v) for g, _ in schema.REVIEW_ROWS for c, v in truth.tables["reviews"][g].items()]))
    out += ["", "## 五、存在的主要问题及改进情况", "", "无。"]
    return "\n".join(out), pr


_OCR_LABEL = (("（三）", "（ 三 ）"), ("（四）", "（ 四 ）"), ("（五）", "（五)"), ("（六）", "(六）"), ("（七）", "（ 七）"))


def _ocr_label(label: str, rng: random.Random) -> str:
    for a, b in _OCR_LABEL:
        if label.startswith(a) and rng.random() < 0.5:
            label = b + label[len(a):]
    m = _re.match(r"(\d)\.", label)
    if m and rng.random() < 0.5:
        label = f"{m.group(1)} ." + label[2:]
    return label


def fam_ocr_dump(truth, rng):
    """The text an OCR engine (or a language model) gives of a scanned report: each table row on
    a line, values separated by spaces, `O` for `0` and `l` for `1`, zeros as `0件`, `——`, `/` or
    `无`, labels with OCR's spacing (`（ 三 ）`, `1 .`), tables in pieces."""
    pr = Printer(rng, blank=0.3, blank_marks=("——", "/", "无"), unit=0.2, ocr=0.15)
    out = [title(truth), "", "一、总体情况", narrative(truth), "", "二、主动公开政府信息情况"]
    for heading, header, rows in _active_spec(truth):
        out += [heading, "信息内容 " + " ".join(header)]
        for key, label, vals in rows:
            out.append(label + " " + " ".join(pr(f"active.{key}.{c}", v) for c, v in vals))
    out += ["", "三、收到和处理政府信息公开申请情况", APPLICANT_HEADER[0], "申请人情况",
            "自然人 法人或其他组织 总计", "商业企业 科研机构 社会公益组织 法律服务机构 其他"]
    seen = set()
    for key, group, label in _app_rows(truth):
        if key == "granted":
            out.append("三、本年度办理结果")
        if group and group not in seen:
            seen.add(group)
            out.append(_ocr_label(GROUP_LABELS[group], rng))
        vals = " ".join(pr(f"applications.{key}.{c}", v) for c, v in truth.tables["applications"][key].items())
        out.append(f"{_ocr_label(label, rng)} {vals}")
        if key == "unavailable_unclear":
            out += ["", "（续表）", ""]
    out += ["", "四、政府信息公开行政复议、行政诉讼情况", "行政复议 行政诉讼",
            "结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉",
            " ".join([label for _, label in schema.REVIEW_COLUMNS] * 2),
            " ".join(pr(f"reviews.{g}.{c}", v) for g, _ in schema.REVIEW_ROWS for c, v in truth.tables["reviews"][g].items()),
            "", "五、存在的主要问题及改进情况", "无。"]
    return "\n".join(out), pr


# Documents (DOCX by python-docx, XLSX by openpyxl, PDF by LibreOffice) ------------------------------
def docx_from(truth: Truth, grids) -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph(title(truth))
    d.add_paragraph("一、总体情况")
    d.add_paragraph(narrative(truth))
    for heading, rows in grids:
        d.add_paragraph(heading)
        placed = _place(rows)
        height = max(r + c.rs for r, _, c in placed)
        width = max(col + c.cs for _, col, c in placed)
        t = d.add_table(rows=height, cols=width)
        t.style = "Table Grid"
        # Every slot's cell taken once before any merge: python-docx's Table.cell rebuilds the
        # whole cell list on each call (seconds a table).
        slots = [list(row.cells) for row in t.rows]
        for r, col, cell in placed:
            target = slots[r][col]
            if cell.rs > 1 or cell.cs > 1:
                target = target.merge(slots[r + cell.rs - 1][col + cell.cs - 1])
            target.text = cell.text
    d.add_paragraph("五、存在的主要问题及改进情况")
    d.add_paragraph("无。")
    buf = _io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def xlsx_grid(ws, top: int, rows: list[list[C]], number=int) -> int:
    """Write a grid into an openpyxl sheet from row ``top``, merged cells merged, a value cell's
    integer stored as ``number(text)``; the number of rows it takes."""
    placed = _place(rows)
    for r, col, cell in placed:
        value = cell.text
        if cell.key and _re.fullmatch(r"-?\d+", value):
            value = number(value)
        ws.cell(top + r, 1 + col, value if value != "" else None)
        if cell.rs > 1 or cell.cs > 1:
            ws.merge_cells(start_row=top + r, start_column=1 + col, end_row=top + r + cell.rs - 1,
                           end_column=col + cell.cs)
    return max(r + c.rs for r, _, c in placed)


def xlsx_from(truth: Truth, grids) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.cell(1, 1, title(truth))
    top = 3
    for heading, rows in grids:
        ws.cell(top, 1, heading)
        top += 1
        top += xlsx_grid(ws, top, rows) + 1
    buf = _io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def fam_docx_official(truth, rng):
    pr = Printer(rng, blank=0.2)
    return docx_from(truth, official_grids(truth, pr)), pr


def fam_docx_word_flat(truth, rng):
    pr = Printer(rng, blank=0.2)
    return docx_from(truth, flat_grids(truth, pr, rng)), pr


def fam_xlsx(truth, rng):
    pr = Printer(rng, blank=0.2)
    return xlsx_from(truth, official_grids(truth, pr)), pr


def fam_pdf_libreoffice(truth, rng):
    """The official tables in a DOCX, printed to PDF by LibreOffice (a text layer, ruled tables)."""
    from crawler.simulator.documents import soffice_convert

    data, pr = fam_docx_official(truth, rng)
    return soffice_convert(data, ".docx", "pdf"), pr


# Conversions by real converters (PyPI's markitdown and mammoth, LibreOffice) of the DOCX the
# families above write: what a portal or an archive made of a Word report with such tools.
def _docx_any(truth, rng):
    """The official tables or the hand-typed flat ones, in a DOCX."""
    return fam_docx_official(truth, rng) if rng.random() < 0.5 else fam_docx_word_flat(truth, rng)


def fam_md_markitdown(truth, rng):
    """DOCX → markdown by markitdown (pipe tables, merged cells repeated or left empty)."""
    from markitdown import MarkItDown

    data, pr = _docx_any(truth, rng)
    return MarkItDown().convert_stream(_io.BytesIO(data), file_extension=".docx").text_content, pr


def fam_html_mammoth(truth, rng):
    """DOCX → HTML by mammoth (semantic HTML: no styles, spans kept as colspan/rowspan)."""
    import mammoth

    data, pr = _docx_any(truth, rng)
    return f"<html><body>{mammoth.convert_to_html(_io.BytesIO(data)).value}</body></html>", pr


def fam_html_libreoffice(truth, rng):
    """DOCX → HTML by LibreOffice's own export (Word-style HTML: <font>, <p> in every cell,
    the page's column grid)."""
    from crawler.simulator.documents import soffice_convert

    data, pr = _docx_any(truth, rng)
    return soffice_convert(data, ".docx", "html"), pr


def _text_layout(layout):
    def fam(truth, rng):
        return render(truth, layout, rng), Printer(rng)

    return fam


FAMILIES = {
    **{f"text_{layout}": _text_layout(layout) for layout in LAYOUTS},
    "md_mineru": fam_md_mineru,
    "ocr_dump": fam_ocr_dump,
    "md_html_fragment": fam_md_html_fragment,
    "html_official": fam_html_official,
    "html_word_flat": fam_html_word_flat,
    "html_escaped": fam_html_escaped,
    "html_split": fam_html_split,
    "html_ie": fam_html_ie,
    "docx_official": fam_docx_official,
    "docx_word_flat": fam_docx_word_flat,
    "xlsx": fam_xlsx,
    "pdf_libreoffice": fam_pdf_libreoffice,
    "md_markitdown": fam_md_markitdown,
    "html_mammoth": fam_html_mammoth,
    "html_libreoffice": fam_html_libreoffice,
}
SLOW_FAMILIES = ("docx_official", "docx_word_flat", "xlsx", "pdf_libreoffice", "html_libreoffice")


def render_family(truth: Truth, family: str, rng: random.Random) -> Rendered:
    doc, pr = (FAMILIES.get(family) or DUMP_FAMILIES[family])(truth, rng)
    data = doc if isinstance(doc, bytes) else doc.encode("utf-8")
    return Rendered(family, data, set(pr.blanks))


def compare(report, truth: Truth, blanks: set) -> tuple[list[str], list[str], list[str]]:
    """(exact, wrong, unknown) cell keys of a parsed report against the truth. A cell printed
    blank is exact when read as blank (or 0); a cell read as another number, or absent without
    being listed unknown, is wrong."""
    exact, wrong, unknown = [], [], []
    for table, row, col in truth.cells():
        key = f"{table}.{row}.{col}"
        got = report.tables.get(table, {}).get(row, {}).get(col)
        if got is None:
            (unknown if key in report.unknown_cells else wrong).append(key)
        elif key in blanks:
            (exact if got.number in (None, 0) else wrong).append(key)
        elif got.number == truth.number(table, row, col):
            exact.append(key)
        else:
            wrong.append(key)
    for table, rows in report.tables.items():
        for row, cols in rows.items():
            for col, v in cols.items():
                if row not in truth.tables.get(table, {}) and v.number not in (None, 0):
                    wrong.append(f"{table}.{row}.{col} (not in the template)")
    return exact, wrong, unknown


_WELL_FORMED = _re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?")


def _splits(text: str, n: int) -> list[tuple[str, ...]]:
    """Every way to cut ``text`` into ``n`` well-formed numbers (no leading zero)."""
    if n == 0:
        return [()] if not text else []
    out = []
    for end in range(1, len(text) + 1):
        head = text[:end]
        if _WELL_FORMED.fullmatch(head):
            out += [(head, *rest) for rest in _splits(text[end:], n - 1)]
    return out


def ambiguous_cells(truth: Truth, family: str) -> set[str]:
    """Cells whose boundaries the printed document cannot pin, as the corpus's expected files
    name them: in a crawler dump that runs cells together, a 表二 row (no identity ties its
    cells) whose digits split into well-formed numbers in more than one way. Computed from the
    truth alone, not with the parser's code."""
    if family != "text_glued":
        return set()
    out = set()
    for row, cols in truth.tables["active"].items():
        printed = "".join(v.replace("元", "") for v in cols.values())
        cands = _splits(printed, len(cols))
        for i, col in enumerate(cols):
            if len({c[i] for c in cands}) > 1:
                out.add(f"active.{row}.{col}")
    return out


# PDF text dumps made by real tools --------------------------------------------------------------
# The DOCX of the families above (official merged tables or hand-typed flat ones) printed to PDF
# by LibreOffice, then dumped to text the ways such PDFs reach the web: poppler's
# `pdftotext -layout` (one line per table row, the values in columns, the narrow label column
# wrapped a few characters a line, a blank cell simply missing from its line, 表四's header
# stacked a character a line) and markitdown (pdfminer: some rows as pipe tables whose cells ran
# together, the others as plain lines with the blanks gone). Kept out of FAMILIES: they are read
# by column position and the identities, which cannot place every blank (tests/test_pdf_dumps.py
# holds them to their own measured bar). `pdf_dumps` makes one LibreOffice conversion serve
# every tool.
import subprocess as _subprocess


def pdftotext_layout(pdf: bytes) -> str:
    """poppler-utils' `pdftotext -layout` of a PDF (Debian package poppler-utils)."""
    return _subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                           check=True, timeout=60).stdout.decode("utf-8")


def markitdown_pdf(pdf: bytes) -> str:
    """markitdown's PDF conversion (`markitdown[pdf]`: pdfminer.six)."""
    from markitdown import MarkItDown

    return MarkItDown().convert_stream(_io.BytesIO(pdf), file_extension=".pdf").text_content


PDF_DUMP_TOOLS = {"pdf_pdftotext_layout": pdftotext_layout, "pdf_markitdown": markitdown_pdf}


def pdf_dumps(truth: Truth, base: str, rng: random.Random) -> dict[str, Rendered]:
    """The report as a DOCX of family ``base``, printed to PDF once, dumped by every tool."""
    from crawler.simulator.documents import soffice_convert

    data, pr = FAMILIES[base](truth, rng)
    pdf = soffice_convert(data, ".docx", "pdf")
    return {name: Rendered(name, tool(pdf).encode("utf-8"), set(pr.blanks)) for name, tool in PDF_DUMP_TOOLS.items()}


def _dump_family(tool):
    def fam(truth, rng):
        from crawler.simulator.documents import soffice_convert

        data, pr = _docx_any(truth, rng)
        return tool(soffice_convert(data, ".docx", "pdf")), pr

    return fam


DUMP_FAMILIES = {name: _dump_family(tool) for name, tool in PDF_DUMP_TOOLS.items()}
