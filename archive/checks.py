"""The accounting identities (勾稽关系) of a report, checked on the values as printed.

A1 一 + 二 = 三(七) + 四 per column of 表三; A2 总计 = the six applicant columns per row; A3
（七）总计 = the sum of the result rows per column; A4 表四 总计 = the four outcomes per group;
A5 结转下年度 of year N = 上年结转 of year N+1 (across reports: cross_year_checks); A6 numbers
restated in the narrative agree with the tables. A check that rests on a blank, a dash or an
unknown cell is "not_checkable", not failed: nothing is ever filled in to make it checkable.
A failed check flags the report; the values stay as printed.
"""
from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from . import schema
from .labels import Value, normalise_text

APPS = "applications"
REVIEWS = "reviews"


def check(name, table, where: dict, expected, actual, detail: str) -> dict:
    """One check record; expected/actual None means a cell it needs was not printed."""
    if expected is None or actual is None:
        status = "not_checkable"
    else:
        status = "passed" if expected == actual else "failed"
    return {
        "check": name,
        "table": table,
        **where,
        "expected": None if expected is None else str(expected),
        "actual": None if actual is None else str(actual),
        "status": status,
        "detail": detail,
    }


def _num(v) -> Decimal | None:
    """A cell's number from a Value, a number or a string; None for blank, dash or absent."""
    if v is None:
        return None
    if type(v) is Value or isinstance(v, Value):
        return v.number
    try:
        return Decimal(str(v).replace(",", "").strip())
    except InvalidOperation:
        return None


_ZERO = Decimal(0)


def _sum(values) -> Decimal | None:
    """The sum of the numbers, None when there are none or one of them is None."""
    total, seen = _ZERO, False
    for v in values:
        if v is None:
            return None
        total += v
        seen = True
    return total if seen else None


def _cell(tables: dict, table: str, row: str, col: str) -> Decimal | None:
    v = tables.get(table, _EMPTY).get(row, _EMPTY).get(col)
    return None if v is None else _num(v)


_EMPTY: dict = {}


def result_rows(apps: dict) -> tuple[str, ...]:
    """The result rows (（一）…（六）) this table prints: 2021 sub-rows of （六） or the 2019 row."""
    if any(k in apps for k in schema.OTHER_2021):
        return schema.RESULT_ROWS_2021
    return schema.RESULT_ROWS_2019


def check_a1(tables: dict) -> list[dict]:
    apps = tables.get(APPS) or {}
    if not {"new_received", "total_processed"} <= set(apps):
        return []
    out = []
    new, carried, processed, forward = (apps.get(r, _EMPTY) for r in ("new_received", "carried_over", "total_processed", "carried_forward"))
    for col, label in schema.APPLICANT_COLUMNS:
        left = _sum([_num(new.get(col)), _num(carried.get(col))])
        right = _sum([_num(processed.get(col)), _num(forward.get(col))])
        out.append(check("A1", APPS, {"column": col}, left, right, f"{label}: 一+二 = 三(七)+四"))
    return out


def check_a2(tables: dict) -> list[dict]:
    out = []
    for row, cols in (tables.get(APPS) or {}).items():
        parts = _sum(_num(cols.get(c)) for c in schema.APPLICANT_PARTS)
        out.append(
            check("A2", APPS, {"row": row}, parts, _num(cols.get("total")), f"{schema.APPLICATION_ROW_LABELS[row]}: 总计 = 六类申请人之和")
        )
    return out


def check_a3(tables: dict) -> list[dict]:
    apps = tables.get(APPS) or {}
    if "total_processed" not in apps:
        return []
    rows = [apps.get(r, _EMPTY) for r in result_rows(apps)]
    total = apps["total_processed"]
    out = []
    for col, label in schema.APPLICANT_COLUMNS:
        parts = _sum(_num(row.get(col)) for row in rows)
        out.append(
            check("A3", APPS, {"column": col}, parts, _num(total.get(col)), f"{label}: （七）总计 = 办理结果各项之和")
        )
    return out


def check_a4(tables: dict) -> list[dict]:
    out = []
    for group, label in schema.REVIEW_ROWS:
        cols = (tables.get(REVIEWS) or {}).get(group)
        if not cols:
            continue
        parts = _sum(_num(cols.get(c)) for c in schema.REVIEW_PARTS)
        out.append(check("A4", REVIEWS, {"row": group}, parts, _num(cols.get("total")), f"{label}: 总计 = 维持+纠正+其他+尚未审结"))
    return out


# A6: numbers restated in the narrative -------------------------------------------------------
_APPLICATIONS_SAID = re.compile(
    r"(?:受理|收到|新收|办理|接收|接到)[^。；;，,、]{0,12}?政府信息公开申请(?:共计|共|合计|总计)?(\d+)(?:件|个|宗)"
)
_CLAUSE_START = re.compile(r"[。；;，,][^。；;，,]*$")
# The narrative restates 表三 with words such as 全区/共/全年 before the verb; 代表/其中/本级
# there may mean it counts only one office's share (洪泽区 2024: 区政府办代表区政府受理…17件).
_WHOLE_BODY = re.compile(r"(共|全年|全[省市区县镇乡]|本年|今年|\d{4}年)")
_PART_OF_BODY = re.compile(r"(代表|其中|本级)")
# Not after 申请/提起; the look-behind follows the words so that the pattern starts with a
# literal, which is searched for at C speed.
_REVIEWS_SAID = re.compile(r"行政复议(?<!申请行政复议)(?:案件)?(?:共计|共|合计)?(\d+)(?:件|起|宗)")
_LITIGATION_SAID = re.compile(r"行政诉讼(?<!提起行政诉讼)(?:案件)?(?:共计|共|合计)?(\d+)(?:件|起|宗)")


def check_a6(tables: dict, text: str) -> list[dict]:
    """Numbers the narrative restates: applications received, 行政复议 and 行政诉讼 cases."""
    flat = normalise_text(text or "")
    out = []
    m, before = _restatement(flat)
    if m and tables.get(APPS):
        said = Decimal(m.group(1))
        new, carried = _cell(tables, APPS, "new_received", "total"), _cell(tables, APPS, "carried_over", "total")
        processed = _cell(tables, APPS, "total_processed", "total")
        # The narrative may count the year's new applications, or with the carried-over ones,
        # or those processed: it agrees when it is any of them.
        readings = [v for v in (new, _sum([new, carried]), processed) if v is not None]
        expected = said if said in readings else (new if new is not None else None)
        c = check("A6", APPS, {"row": "new_received", "column": "total"}, expected, said, f"narrative: 「{m.group(0)}」")
        if c["status"] == "failed" and _PART_OF_BODY.search(before):
            # 「区政府办代表区政府受理…17件」 may count one office's share: nothing to compare.
            c.update(status="not_checkable", detail=c["detail"] + " counts part of the body only")
        out.append(c)
    reviews = tables.get(REVIEWS) or {}
    m = _REVIEWS_SAID.search(flat)
    if m and reviews:
        out.append(
            check("A6", REVIEWS, {"row": "review", "column": "total"}, _cell(tables, REVIEWS, "review", "total"), Decimal(m.group(1)), f"narrative: 「{m.group(0)}」")
        )
    m = _LITIGATION_SAID.search(flat)
    if m and reviews:
        both = _sum([_cell(tables, REVIEWS, "litigation_direct", "total"), _cell(tables, REVIEWS, "litigation_after_review", "total")])
        out.append(
            check("A6", REVIEWS, {"row": "litigation", "column": "total"}, both, Decimal(m.group(1)), f"narrative: 「{m.group(0)}」")
        )
    return out


def _restatement(flat: str):
    """The first 「…受理政府信息公开申请N件」 said of the whole body, and the words before its
    verb in the same clause (at most ten characters)."""
    for m in _APPLICATIONS_SAID.finditer(flat):
        before = flat[max(0, m.start() - 10) : m.start()]
        cut = _CLAUSE_START.search(before)
        before = before[cut.start() + 1 :] if cut else before
        if _WHOLE_BODY.search(before):
            return m, before
    return None, ""


def check_tables(tables: dict, text: str = "") -> list[dict]:
    """Every identity of one report. A cell whose split is unknown is absent from ``tables``,
    so a check resting on it is not_checkable like one resting on a blank."""
    return check_a1(tables) + check_a2(tables) + check_a3(tables) + check_a4(tables) + check_a6(tables, text)


def check_report(report) -> list[dict]:
    report.checks = check_tables(report.tables, report.text)
    return report.checks


# A5: across years ----------------------------------------------------------------------------
def cross_year_checks(reports) -> list[dict]:
    """A5 for (organ, year, applications) triples: 四、结转下年度继续办理 of year N equals
    二、上年结转 of year N+1 for the same organ, per applicant column. ``applications`` maps
    row -> column -> value (a Value, a number, a numeric string or None)."""
    by_organ: dict[str, dict[int, dict]] = defaultdict(dict)
    for organ, year, apps in reports:
        if organ and year and apps:
            by_organ[organ][int(year)] = apps
    out = []
    for organ, years in sorted(by_organ.items()):
        for year in sorted(years):
            if year + 1 not in years:
                continue
            before, after = years[year].get("carried_forward") or {}, years[year + 1].get("carried_over") or {}
            for col, label in schema.APPLICANT_COLUMNS:
                if col not in before and col not in after:
                    continue
                c = check(
                    "A5",
                    APPS,
                    {"organ": organ, "year": year, "column": col},
                    _num(before.get(col)),
                    _num(after.get(col)),
                    f"{label}: {year}年结转下年度 = {year + 1}年上年结转",
                )
                out.append(c)
    return out
