"""The three statistical tables of a report as a TRS editor writes them: the official merged
cells (report-format.md), labels broken over <p>/<span>, cells padded with &nbsp;."""
from __future__ import annotations

import random
from decimal import Decimal
from html import escape

from archive import schema

from .world import SimReport


def _label(text: str, rng: random.Random) -> str:
    """A label as editors leave it: sometimes split over two <p>, sometimes with a stray span."""
    text = escape(text)
    if len(text) > 4 and rng.random() < 0.3:
        cut = rng.randint(2, len(text) - 2)
        return f"<p>{text[:cut]}</p><p><span>{text[cut:]}</span>\n &nbsp; &nbsp;</p>"
    if rng.random() < 0.2:
        return f'<p align="center"><span style="font-family:宋体">{text}</span></p>'
    return f'<p align="center">{text}</p>'


def _num(v: Decimal | None, raw: str | None = None) -> str:
    if raw is not None:
        return raw
    return "&nbsp;" if v is None else str(v)


def td(content: str, rowspan: int = 1, colspan: int = 1, width: int | None = None) -> str:
    attrs = ""
    if rowspan > 1:
        attrs += f' rowspan="{rowspan}"'
    if colspan > 1:
        attrs += f' colspan="{colspan}"'
    if width:
        attrs += f' nowrap style="width:{width}px"'
    return f"<td{attrs}>{content}</td>"


def value_td(v: Decimal, raw: str | None = None, colspan: int = 1) -> str:
    return td(f'<p align="center">{_num(v, raw)}</p>', colspan=colspan, width=47)


def active_table(r: SimReport, rng: random.Random) -> str:
    a = r.values["active"]
    raw = lambda row, col: r.raw.get(("active", row, col))
    rows = []
    if r.template == "2021":
        heads = [
            ("第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"], ["rules", "normative_docs"]),
            ("第二十条第（五）项", ["本年处理决定数量"], ["licensing"]),
            ("第二十条第（六）项", ["本年处理决定数量"], ["punishment", "enforcement"]),
            ("第二十条第（八）项", ["本年收费金额（单位：万元）"], ["fees"]),
        ]
        width = 4
    else:
        heads = [
            ("第二十条第（一）项", ["本年新制作数量", "本年新公开数量", "对外公开总数量"], ["rules", "normative_docs"]),
            ("第二十条第（五）项", ["上一年项目数量", "本年增/减", "处理决定数量"], ["licensing", "other_services"]),
            ("第二十条第（六）项", ["上一年项目数量", "本年增/减", "处理决定数量"], ["punishment", "enforcement"]),
            ("第二十条第（八）项", ["上一年项目数量", "本年增/减"], ["fees"]),
            ("第二十条第（九）项", ["采购项目数量", "采购总金额"], ["procurement"]),
        ]
        width = 4
    labels = dict(schema.ACTIVE_ROWS)
    if r.template == "2021":
        labels["normative_docs"] = "行政规范性文件"
    for heading, cols, keys in heads:
        rows.append(td(_label(heading, rng), colspan=width))
        spans = _spread(len(cols), width - 1)
        rows.append(td(_label("信息内容", rng)) + "".join(td(_label(c, rng), colspan=s) for c, s in zip(cols, spans)))
        for key in keys:
            col_keys = list(a[key])
            rows.append(td(_label(labels[key], rng)) + "".join(
                value_td(a[key][c], raw(key, c), colspan=s) for c, s in zip(col_keys, spans)))
    return _table(rows)


def _spread(n: int, width: int) -> list[int]:
    """Column spans of n header cells over width slots, the last taking what is left."""
    if n == 1:
        return [width]
    return [1] * (n - 1) + [width - n + 1]


def applications_table(r: SimReport, rng: random.Random) -> str:
    apps = r.values["applications"]
    raw = lambda row, col: r.raw.get(("applications", row, col))
    cols = [c for c, _ in schema.APPLICANT_COLUMNS]
    vals = lambda row: "".join(value_td(apps[row][c], raw(row, c)) for c in cols)
    rows = [
        td(_label("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rng), rowspan=3, colspan=3)
        + td(_label("申请人情况", rng), colspan=7),
        td(_label("自然人", rng), rowspan=2) + td(_label("法人或其他组织", rng), colspan=5) + td(_label("总计", rng), rowspan=2),
        "".join(td(_label(t, rng)) for t in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")),
        td(_label(schema.APPLICATION_ROW_LABELS["new_received"], rng), colspan=3) + vals("new_received"),
        td(_label(schema.APPLICATION_ROW_LABELS["carried_over"], rng), colspan=3) + vals("carried_over"),
    ]
    result_rows = schema.RESULT_ROWS_2021 if r.template == "2021" else schema.RESULT_ROWS_2019
    group_of = {k: g for k, _, g in schema.APPLICATION_ROWS}
    first = True
    seen_groups = set()
    for key in list(result_rows) + ["total_processed"]:
        cells = ""
        if first:
            cells += td(_label("三、本年度办理结果", rng), rowspan=len(result_rows) + 1)
            first = False
        g = group_of[key]
        if g is None:
            cells += td(_label(schema.APPLICATION_ROW_LABELS[key], rng), colspan=2)
        else:
            if g not in seen_groups:
                seen_groups.add(g)
                size = sum(1 for k in result_rows if group_of[k] == g)
                cells += td(_label(schema.GROUP_LABELS[g], rng), rowspan=size)
            cells += td(_label(schema.APPLICATION_ROW_LABELS[key], rng))
        rows.append(cells + vals(key))
    rows.append(td(_label(schema.APPLICATION_ROW_LABELS["carried_forward"], rng), colspan=3) + vals("carried_forward"))
    return _table(rows)


def reviews_table(r: SimReport, rng: random.Random) -> str:
    rv = r.values["reviews"]
    outcomes = [label for _, label in schema.REVIEW_COLUMNS]
    rows = [
        td(_label("行政复议", rng), colspan=5) + td(_label("行政诉讼", rng), colspan=10),
        "".join(td(_label(o, rng), rowspan=2) for o in outcomes)
        + td(_label("未经复议直接起诉", rng), colspan=5) + td(_label("复议后起诉", rng), colspan=5),
        "".join(td(_label(o, rng)) for o in outcomes * 2),
        "".join(value_td(rv[g][c]) for g, _ in schema.REVIEW_ROWS for c, _ in schema.REVIEW_COLUMNS),
    ]
    return _table(rows)


def _table(rows: list[str]) -> str:
    body = "".join(f"<tr>{r}</tr>" for r in rows)
    return f'<table cellspacing="0" align="center" border="1"><tbody>{body}</tbody></table>'
