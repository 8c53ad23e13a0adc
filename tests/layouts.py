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


def random_report(rng: random.Random) -> Truth:
    template = rng.choice(("2021", "2021", "2019"))
    year = rng.randint(2019, 2020) if template == "2019" else rng.randint(2021, 2025)
    truth = Truth(template, year, rng.choice(ORGANS))
    truth.tables = {
        "active": random_active(rng, template),
        "applications": random_applications(rng, template),
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
    return f"{truth.year}年，全年共受理政府信息公开申请{n}件，均在法定期限内答复。"


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
