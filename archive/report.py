"""What parsing one document yields: the report, its cells, and what the parser noticed."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import schema
from .labels import Value, normalise, normalise_text

_CN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "00012345678" "9")


@dataclass
class ParsedReport:
    template: str | None = None  # "2021", "2019" or None (no 2019/2021 tables)
    template_variant: str | None = None  # "mixed": 2021 表二 with the 2019 single-row （六）
    year: int | None = None
    organ: str | None = None
    title: str | None = None
    text: str = ""
    # table -> row key -> column key -> Value
    tables: dict[str, dict[str, dict[str, Value]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    unknown_cells: list[str] = field(default_factory=list)  # "table.row.col" read without certainty
    # The template cells no reading found at all (also in unknown_cells): the report is incomplete.
    missing_cells: list[str] = field(default_factory=list)
    source_format: str | None = None
    checks: list[dict] = field(default_factory=list)
    damaged_text: bool = False  # damaged bytes replaced where a table was printed

    def put(self, table: str, row: str, col: str, value: Value) -> None:
        cells = self.tables.setdefault(table, {}).setdefault(row, {})
        if col in cells and cells[col].raw != value.raw:
            self.warnings.append(f"{table}.{row}.{col} printed twice: {cells[col].raw!r} and {value.raw!r}")
            return
        cells[col] = value

    def put_all(self, table: str, row: str, values: list[tuple[str, Value]]) -> None:
        """put() for several cells of one row (a text row's values, stored at once)."""
        cells = self.tables.setdefault(table, {}).setdefault(row, {})
        for col, value in values:
            if col in cells and cells[col].raw != value.raw:
                self.warnings.append(f"{table}.{row}.{col} printed twice: {cells[col].raw!r} and {value.raw!r}")
                continue
            cells[col] = value

    def cells(self):
        """Every cell as (table, row, col, Value), in canonical order."""
        for table in schema.TABLES:
            for row, cols in self.tables.get(table, {}).items():
                for col, value in cols.items():
                    yield table, row, col, value

    @property
    def incomplete(self) -> bool:
        """A 2019/2021 report with a template cell not read with certainty."""
        return self.template is not None and bool(self.unknown_cells)

    @property
    def flagged(self) -> bool:
        return bool(self.unknown_cells) or self.damaged_text or any(c["status"] == "failed" for c in self.checks)

    def to_json(self) -> dict:
        out = {
            "template": self.template,
            "template_variant": self.template_variant,
            "year": self.year,
            "organ": self.organ,
            "title": self.title,
            "source_format": self.source_format,
        }
        for table in schema.TABLES:
            rows = self.tables.get(table)
            if rows:
                out[table] = {r: {c: v.json() for c, v in cols.items()} for r, cols in rows.items()}
        out["raw"] = {
            t: {r: {c: v.raw for c, v in cols.items()} for r, cols in self.tables.get(t, {}).items()}
            for t in schema.TABLES
            if self.tables.get(t)
        }
        out["unknown_cells"] = self.unknown_cells
        out["missing_cells"] = self.missing_cells
        out["incomplete"] = self.incomplete
        out["checks"] = self.checks
        out["warnings"] = self.warnings
        out["flagged"] = self.flagged
        return out


# Titles -----------------------------------------------------------------------------------------
_YEAR = re.compile(r"((?:19|20)\d{2}|[〇○零一二][〇○零一二三四五六七八九]{3})\s*年")
_REPORT_SUFFIX = re.compile(
    r"(?:年度|年)?\s*(?:度)?(?:政府|政务)?(?:信息|资讯)?公开(?:工作)?(?:年度)?(?:报告|年报).*$"
)
_TITLE_WORDS = re.compile(r"(关于)?(印发|发布|公布)?")


def year_from(text: str) -> int | None:
    m = _YEAR.search(text or "")
    if not m:
        return None
    return int(m.group(1).translate(_CN_DIGITS))


def title_year_organ(title: str) -> tuple[int | None, str | None]:
    """The report year and the reporting body as named in a title such as
    ``平潭综合实验区2024年度政府信息公开工作年度报告`` or ``2019年上海市人民政府办公厅政府信息公开工作年度报告``."""
    t = normalise(title or "")
    t = re.sub(r"[（(](图片版|超链版|全文|文字版|图解)[)）]", "", t)
    m = _YEAR.search(t)
    year = int(m.group(1).translate(_CN_DIGITS)) if m else None
    organ_text = t[: m.start()] + t[m.end() :] if m else t
    organ_text = re.sub(r"^度", "", organ_text)
    organ = _REPORT_SUFFIX.sub("", organ_text).strip("：:、， ")
    if organ.endswith("人民") and "人民政府信息公开" in t:
        organ += "政府"  # 张义镇人民政府信息公开… names 张义镇人民政府
    organ = re.sub(r"(年度|年)$", "", organ)
    return year, organ or None


_PERIOD = re.compile(r"统计(?:期限|时限|时间|区间)[^。]{0,12}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")


def statement_year(text: str) -> int | None:
    """The year of the statement period (「统计期限为2024年1月1日至…」), when printed."""
    m = _PERIOD.search(normalise_text(text or ""))
    return int(m.group(1)) if m else None


_NEWS_WORDS = re.compile(r"(通知|解读|会议|培训|评估结果|考核|座谈|部署|工作要点|督查|调研|检查)")


def is_report_title(title: str) -> bool:
    """A list item that is an annual report on government information disclosure, not news
    such as 「关于做好2024年度政府信息公开工作年度报告编制工作的通知」."""
    t = normalise(title or "")
    if not re.search(r"(信息公开|政务公开).{0,6}(年度报告|年报|工作报告)", t):
        return False
    if _NEWS_WORDS.search(t):
        return False
    return year_from(t) is not None


_COMPILED_BY = re.compile(r"本报告由([^，。,（(《]{2,40}?)(?:办公室|办公厅|根据|依据|编制)")


def organ_in_text(organ: str | None, text: str) -> str | None:
    """The organ with the place names the report itself gives it: a title printing 洪泽区人民政府
    over 「本报告由淮安市洪泽区人民政府办公室…编制」 names 淮安市洪泽区人民政府."""
    if not organ:
        return organ
    # Near the top: the first 3000 characters of the text without its spaces (the text is
    # normalised whole once, for the checks too).
    m = _COMPILED_BY.search(normalise_text(text or ""), 0, 3000)
    if m and m.group(1).endswith(organ) and len(m.group(1)) <= len(organ) + 6:
        return m.group(1)
    return organ
