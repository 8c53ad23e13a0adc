"""The reading engine against perturbed layouts (tests/layout_fuzz.py): a 序号 or 备注 column, unit
lines and captions inside tables, other label wordings, 表四 transposed, 表二 reordered, the three
tables in one, `1 234` / `12.0`, tables split at page breaks, CSS <div> tables, values in
<p><span>, XLSX numbers stored as text, XLS/ODS/ODT by LibreOffice; `12件`/`1,234`/`１２`/增5, every
kind of dash for zero, page breaks without the header, subtotal rows and 合计 columns, last
year's figures beside this year's, 注： rows, 栏次 rows, a 计量单位 column (and the last five as
markdown).

Each class: not one cell wrong; every cell not read exactly is listed unknown and its report
flagged (never a silent hole); the read-back rate of each class is asserted.

    python tests/test_layout_fuzz.py   # the README's table
"""
from __future__ import annotations

import random
from functools import lru_cache

import pytest

from archive.completeness import template_cells
from archive.errors import ParseError
from archive.parse import parse_bytes
from tests.layout_fuzz import FUZZ, SLOW_FUZZ, render_fuzz
from tests.layouts import C, random_report

SEED = 20261202
N = 12  # reports per class
N_SLOW = 1  # LibreOffice conversions: a few seconds each


def cases():
    rng = random.Random(SEED)
    out = []
    for name in FUZZ:
        for i in range(N_SLOW if name in SLOW_FUZZ else N):
            out.append((name, i, random_report(rng, mixed=0.25), rng.random()))
        if name == "pdf_libreoffice":  # the open class: a few more reports
            for i in range(N_SLOW, 3):
                out.append((name, i, random_report(rng, mixed=0.25), rng.random()))
    return out


CASES = cases()


def classify(report, truth, blanks):
    """(exact, wrong, silent, unknown) cell keys: wrong = read as another number; silent = a
    template cell neither read nor listed unknown; unknown = listed unknown."""
    exact, wrong, silent, unknown = [], [], [], []
    for table, row, col in truth.cells():
        key = f"{table}.{row}.{col}"
        got = report.tables.get(table, {}).get(row, {}).get(col)
        if got is None:
            (unknown if key in report.unknown_cells else silent).append(key)
        elif key in blanks:
            (exact if got.number in (None, 0) else wrong).append(key)
        elif got.number == truth.number(table, row, col):
            exact.append(key)
        else:
            wrong.append(f"{key}: {got.raw!r} != {truth.tables[table][row][col]!r}")
    for table, rows in report.tables.items():
        for row, cols in rows.items():
            for col, v in cols.items():
                if col not in truth.tables.get(table, {}).get(row, {}) and v.number not in (None, 0):
                    wrong.append(f"{table}.{row}.{col} (not in the template)")
    return exact, wrong, silent, unknown


@lru_cache(maxsize=None)
def results():
    out = []
    for name, i, truth, seed in CASES:
        doc = render_fuzz(truth, name, random.Random(seed))
        try:
            report = parse_bytes(doc.data, f"{name}-{i}")
        except ParseError as e:
            out.append((name, truth, None, [], [], [f"ParseError: {e}"], []))
            continue
        out.append((name, truth, report, *classify(report, truth, doc.blanks)))
    return out


def figures() -> str:
    by = {}
    for name, truth, report, exact, wrong, silent, unknown in results():
        b = by.setdefault(name, [0, 0, 0, 0, 0, 0, 0])
        b[0] += 1
        b[1] += len(exact)
        b[2] += len(exact) + len(wrong) + len(silent) + len(unknown)
        b[3] += len(wrong)
        b[4] += len(silent)
        b[5] += len(unknown)
        b[6] += bool(unknown) and (report is None or not report.flagged)
    lines = ["| class | reports | cells exact | wrong | silent | unknown (flagged) |", "|---|---|---|---|---|---|"]
    for name, (n, ok, total, wrong, silent, unknown, unflagged) in by.items():
        lines.append(f"| {name} | {n} | {ok}/{total} ({100 * ok / total:.2f}%) | {wrong} | {silent} | {unknown} |")
    n, ok, total, wrong, silent, unknown = (sum(b[i] for b in by.values()) for i in range(6))
    lines.append(f"| all | {n} | {ok}/{total} ({100 * ok / total:.3f}%) | {wrong} | {silent} | {unknown} |")
    return "\n".join(lines)


# Read-back each class must reach: every class is read exactly but the text whose blank cells
# were dropped (a value per line, fewer values than columns: which cells are blank cannot be
# told, so those rows are unknown and flagged, never split).
MIN_EXACT = {name: 1.0 for name in FUZZ}
MIN_EXACT["text_blanks_dropped"] = 0.30
# The markdown of last year's columns: 表三 rows are read when the header names those columns
# after 总计 (30.85% measured); 表二's 上年 | 本年 | 增减 and 表四's two value rows are left
# unknown by the text reader (which row or column is this year's only the grid's labels tell).
MIN_EXACT["md_comparison_columns"] = 0.30
# （六）其他处理 printing its subtotal over the 2021 sub-rows in a text: the sub-rows are left
# unknown (98.21% measured), as where a page break moved a sub-row's values under the heading.
MIN_EXACT["md_subtotal_rows"] = 0.98


@pytest.mark.parametrize("name", list(FUZZ))
def test_class_read_back(name):
    """Each perturbation class: not one cell wrong, not one template cell neither read nor
    listed unknown, every unknown cell's report flagged incomplete, and the class's read-back."""
    rows = [r for r in results() if r[0] == name]
    assert rows
    wrong = [w for r in rows for w in r[4]]
    assert wrong == []
    for _, truth, report, exact, _, silent, unknown in rows:
        assert report is not None, unknown
        assert silent == []
        if unknown:
            assert report.flagged and report.incomplete
        have = {f"{t}.{r}.{c}" for t, r, c, _ in report.cells()} | set(report.unknown_cells)
        assert set(template_cells(report.template, report.template_variant)) <= have
        assert (report.template, report.template_variant, report.year) == (truth.template, truth.variant, truth.year)
    exact = sum(len(r[3]) for r in rows)
    total = sum(len(r[3]) + len(r[4]) + len(r[5]) + len(r[6]) for r in rows)
    assert exact / total >= MIN_EXACT[name], f"{name}: {exact}/{total}"


def test_no_check_fails_on_a_consistent_report():
    """The reports are consistent: a reading that fails an identity misplaced a value."""
    failed = [(name, c["check"]) for name, _, report, *_ in results() if report
              for c in report.checks if c["status"] == "failed"]
    assert failed == []


def _html_case(name, n=0):
    for case_name, i, truth, seed in CASES:
        if case_name == name and i == n:
            return truth, render_fuzz(truth, name, random.Random(seed))
    raise LookupError(name)


def test_serial_numbers_are_not_values():
    """A 序号 column's 1, 2, 3… never land in a value column (表二 read by its labels)."""
    from tests.layout_fuzz import _html, seq_column
    from tests.layouts import Printer, official_grids

    truth = random_report(random.Random(7))
    pr = Printer(random.Random(1))
    html = _html(truth, seq_column(official_grids(truth, pr), random.Random(2)))
    assert "<td><p>序号</p></td>" in html
    report = parse_bytes(html.encode(), "seq.html")
    exact, wrong, silent, unknown = classify(report, truth, pr.blanks)
    assert (wrong, silent, unknown) == ([], [], [])
    assert {c: v.number for c, v in report.tables["active"]["licensing"].items()} == {
        c: truth.number("active", "licensing", c) for c in truth.tables["active"]["licensing"]}


def test_transposed_reviews_exact():
    """表四 printed with the outcomes as rows: each of the 15 cells under its group and outcome."""
    from tests.layout_fuzz import _html, reviews_transposed
    from tests.layouts import Printer, official_grids

    truth = random_report(random.Random(8))
    html = _html(truth, reviews_transposed(official_grids(truth, Printer(random.Random(1))), random.Random(3)))
    report = parse_bytes(html.encode(), "t4.html")
    got = {g: {c: v.raw for c, v in cols.items()} for g, cols in report.tables["reviews"].items()}
    assert got == truth.tables["reviews"]
    assert not report.unknown_cells


def test_css_div_tables_are_grids():
    """Tables drawn with <div>s (display:table-cell, inline or by class): read as grids, blanks
    kept, so the text's dropped blanks never decide a cell."""
    for i in range(2):
        truth, doc = _html_case("css_divs", i)
        assert b"<table" not in doc.data
        report = parse_bytes(doc.data, "divs.html")
        exact, wrong, silent, unknown = classify(report, truth, doc.blanks)
        assert (wrong, silent, unknown) == ([], [], [])


def test_a_value_per_line_with_blanks_dropped_is_never_split():
    """A text printing each value on its own line whose empty cells are gone: a row with fewer
    values than columns is unknown (its blanks could stand anywhere), never read by splitting
    digits (which put 8 under 科研机构 for 0|0|—|8|7|0|15)."""
    truth, doc = _html_case("text_blanks_dropped", 0)
    report = parse_bytes(doc.data, "dump.txt")
    exact, wrong, silent, unknown = classify(report, truth, doc.blanks)
    assert wrong == [] and silent == []
    assert unknown and report.flagged and report.incomplete
    short = [k for k in truth.tables["applications"] if any(
        f"applications.{k}.{c}" in doc.blanks for c in truth.tables["applications"][k])]
    assert short and all(f"applications.{k}.total" in report.unknown_cells for k in short)


# The classes of the second round: a targeted test per engine rule they led to -----------------
def _exact(doc: bytes, name: str, truth, blanks) -> object:
    """Parse ``doc``; assert every cell exact (none wrong, silent or unknown); the report."""
    report = parse_bytes(doc, name)
    exact, wrong, silent, unknown = classify(report, truth, blanks)
    assert (wrong, silent, unknown) == ([], [], [])
    assert (report.template, report.template_variant) == (truth.template, truth.variant)
    return report


def _values(report, table):
    """A table's numbers as read, a cell printed blank as 0 (its truth)."""
    return {r: {c: v.number or 0 for c, v in cols.items()} for r, cols in report.tables[table].items()}


def _truth_values(truth, table):
    return {r: {c: truth.number(table, r, c) for c in cols} for r, cols in truth.tables[table].items()}


def test_units_and_every_dash_are_read():
    """`3起`, `12份`, `1,234件`, `１２次` are numbers; `―`, `――`, `— —`, `－`, `／`, `---` are blanks;
    in a text `1,795次` is one number and 减14 is −14."""
    from archive.labels import read_value
    from archive.textparse import prepare, segments

    assert [read_value(t).number for t in ("3起", "12份", "1,234件", "１２次", "2，952项", "减5")] == [3, 12, 1234, 12, 2952, -5]
    assert {read_value(t).status for t in ("―", "――", "— —", "－", "／", "---", "‐")} == {"dash"}
    assert segments(prepare(" 4,482\n减14\n2,602项\n")) == ["4482", "-14", "2602"]
    assert segments(" 1,2,3 12,345.5") == ["1", "2", "3", "12", "345.5"]  # no thousands groups there


def test_rows_of_blank_marks_and_a_merged_row_of_none():
    """Zeros as —, -, /, 无, ――, ―, ／ mixed, and a 表三 row of zeros printed as one 无 across the
    seven columns of a hand-typed table: every cell blank (or 0), none unknown."""
    from tests.layout_fuzz import fuzz_blank_marks

    for seed in range(40):
        truth = random_report(random.Random(seed))
        doc, pr = fuzz_blank_marks(truth, random.Random(seed))
        if isinstance(doc, str) and 'colspan="7"' in doc:
            break
    report = _exact(doc.encode(), "marks.html", truth, pr.blanks)
    merged = [k for k, cols in truth.tables["applications"].items() if all(v == "0" for v in cols.values())]
    assert merged and all(report.tables["applications"][k]["total"].number in (None, 0) for k in merged)


def test_a_reviews_table_of_nothing_in_one_cell():
    """表四 of a town without reviews or lawsuits, its value row one cell across the fifteen
    columns (无, — or 0), in HTML and XLSX (whose merged range reaches past the header's last
    column): every cell blank or 0, none unknown."""
    from tests.layout_fuzz import _any_format
    from tests.layouts import Printer, flat_grids, official_grids

    truth = random_report(random.Random(12))
    truth.tables["reviews"] = {g: {c: "0" for c in cols} for g, cols in truth.tables["reviews"].items()}
    for mark, fmt, grids_of in (("无", "html", official_grids), ("—", "xlsx", lambda t, p: flat_grids(t, p, random.Random(1))),
                                ("0", "xlsx", official_grids)):
        pr = Printer(random.Random(1))
        grids = grids_of(truth, pr)
        t4 = grids[2][1]
        t4[-1] = [C(mark, cs=15, key="reviews.review.upheld")]
        blanks = {f"reviews.{g}.{c}" for g, cols in truth.tables["reviews"].items() for c in cols}
        doc = _any_format(truth, grids, random.Random(0), formats=(fmt,))
        report = _exact(doc.encode() if isinstance(doc, str) else doc, f"none.{fmt}", truth, pr.blanks | blanks)
        assert {v.raw for cols in report.tables["reviews"].values() for v in cols.values()} == {mark}
        assert sum(len(cols) for cols in report.tables["reviews"].values()) == 15


def test_subtotal_rows_and_a_total_column_are_not_cells():
    """（三）不予公开 printing its group's subtotals on a row of its own, 小计 rows, a 合计 row in
    表二 and a 合计 column after 表四's fifteen (a header typed without merges): the template's
    cells exact; （六）其他处理's subtotal over the 2021 sub-rows is no 2019 `other` row (the report
    stays 2021, not mixed)."""
    from tests.layout_fuzz import _html, subtotal_rows
    from tests.layouts import Printer, flat_grids

    for seed, style in ((3, "heading"), (4, "xiaoji")):
        truth = random_report(random.Random(seed))
        assert truth.template == "2021" and truth.variant is None
        pr = Printer(random.Random(1))
        rng = random.Random(seed)
        grids = subtotal_rows(truth, flat_grids(truth, pr, random.Random(2)), rng)
        html = _html(truth, grids)
        assert "<p>合计</p>" in html and ("<p>（六）其他处理</p>" in html or "计</p>" in html)
        report = _exact(html.encode(), "subtotals.html", truth, pr.blanks)
        assert "other" not in report.tables["applications"]
        assert _values(report, "reviews") == _truth_values(truth, "reviews")


def test_last_years_figures_are_never_read():
    """表三 with 上年总计/同比 columns after 总计, 表二 as 上年 | 本年 | 增减, 表四 with a 上年度 row
    above 本年度: this year's values exactly; two 表四 rows neither named this year's: unknown."""
    from tests.layout_fuzz import _html, comparison_columns
    from tests.layouts import Printer, official_grids

    seen_last_first = False
    for seed in range(8):
        truth = random_report(random.Random(seed))
        pr = Printer(random.Random(1))
        html = _html(truth, comparison_columns(truth, official_grids(truth, pr), random.Random(seed)))
        assert "上年" in html or "同比" in html
        report = _exact(html.encode(), "compared.html", truth, pr.blanks)
        assert _values(report, "active") == _truth_values(truth, "active")
        seen_last_first |= truth.template == "2021" and html.index("<p>上年处理决定数量</p>") < html.index("<p>本年处理决定数量</p>")
    assert seen_last_first
    # Two value rows, their labels naming no year: neither is read.
    truth = random_report(random.Random(9))
    grids = official_grids(truth, Printer(random.Random(1)))
    t4 = grids[2][1]
    t4[0].insert(0, C("", rs=3))
    t4[3:] = [[C("甲")] + t4[3], [C("乙")] + [C("1")] * 15]
    report = parse_bytes(_html(truth, grids).encode(), "two-rows.html")
    assert "reviews" not in report.tables and report.flagged
    assert "表四: 2 value rows, none named this year's: not read" in report.warnings


def test_notes_column_numbers_and_unit_columns_are_not_rows():
    """A 注： row whose text names 上年结转 and numbers, a 栏次 1 … 7 / 1 … 15 row under the
    headers, a 计量单位 column of 件: the values exactly, nothing taken from them."""
    from tests.layout_fuzz import _html, column_numbers, footnote_rows, unit_column
    from tests.layouts import Printer, flat_grids, official_grids

    truth = random_report(random.Random(11))
    for perturb in (footnote_rows, column_numbers, unit_column):
        for grids_of in (official_grids, lambda t, p: flat_grids(t, p, random.Random(3))):
            pr = Printer(random.Random(1))
            grids = perturb(truth, grids_of(truth, pr), random.Random(5))
            html = _html(truth, grids)
            report = _exact(html.encode(), f"{perturb.__name__}.html", truth, pr.blanks)
            assert _values(report, "applications") == _truth_values(truth, "applications")
            assert _values(report, "reviews") == _truth_values(truth, "reviews")


def test_markdown_rows_with_a_unit_remark_or_last_years_cells():
    """The text reader on pipe rows: `| 件 |` before the values skipped; `12.5%` (or 已办结) after
    them ends the row, its empty cells never dropped by the stream reader; a row of nine cells
    under a header naming 上年数 | 增减 after 总计 read as its first seven (A2 holding), never as
    a window that cuts two non-blank cells; 表四's `栏次 | 1 | … | 15` row skipped and its 合计
    after the fifteen dropped; a 表四 with two value rows not read from the text."""
    from archive.textparse import pipe_cells

    assert pipe_cells(" |  | 件 | 3 |  | 0 | 5 | 0 | 0 | 8 |\n") == ["3", "—", "0", "5", "0", "0", "8"]
    assert pipe_cells(" | 3 |  | 0 | 5 | 0 | 0 | 8 | 7 | 14.3% |\n") == ["3", "—", "0", "5", "0", "0", "8", "7"]
    for name, n in (("md_unit_column", 0), ("md_comparison_columns", 2), ("md_column_numbers", 1), ("md_subtotal_rows", 0)):
        for case_name, i, truth, seed in CASES:
            if case_name != name:
                continue
            doc = render_fuzz(truth, name, random.Random(seed))
            text = doc.data.decode()
            report = parse_bytes(doc.data, f"{name}.md")
            exact, wrong, silent, unknown = classify(report, truth, doc.blanks)
            assert (wrong, silent) == ([], [])
            if name == "md_comparison_columns":
                assert "上年" in text or "同比" in text or "增减" in text
                if not any(k.startswith("applications.") for k in unknown):
                    n -= 1  # 表三 read whole, last year's columns beside it
            elif name == "md_column_numbers" and "| 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 |" in text:
                assert not any(k.startswith("reviews.") for k in unknown)
                n -= 1
            elif name == "md_subtotal_rows" and "| 合计 |" in text.split("四、政府信息公开")[1]:
                assert _values(report, "reviews") == _truth_values(truth, "reviews")
            elif name == "md_unit_column":
                assert "| 件 |" in text and unknown == []
        assert n <= 0, name
    # A second row of values under 表四's (last year's, its label lost): 表四 left unknown.
    for case_name, i, truth, seed in CASES:
        if case_name == "md_unit_column":
            break
    text = render_fuzz(truth, "md_unit_column", random.Random(seed)).data.decode()
    head, tail = text.split("四、政府信息公开行政复议、行政诉讼情况")
    values = next(line for line in tail.split("\n") if line.count("|") == 16 and any(ch.isdigit() for ch in line))
    doubled = head + "四、政府信息公开行政复议、行政诉讼情况" + tail.replace(values, values + "\n| 上年 |" + " 1 |" * 15)
    report = parse_bytes(doubled.encode(), "two-rows.md")
    assert "reviews" not in report.tables and report.flagged
    assert "表四: more than one row of values: not read from the text" in report.warnings
    assert _values(parse_bytes(text.encode(), "one-row.md"), "reviews") == _truth_values(truth, "reviews")


def test_page_break_without_header_left_out_labels():
    """表三 cut by a page inside a rowspan, the header not repeated and the spanning labels left
    out of the next page's rows (rows one or two cells short), in HTML and DOCX; 表四's value row
    alone on the next page of an XLSX whose first cell is blank."""
    from tests.layout_fuzz import _any_format, page_break_no_header
    from tests.layouts import Printer, official_grids

    done = set()
    for seed in range(60):
        truth = random_report(random.Random(seed))
        pr = Printer(random.Random(seed), blank=0.2)
        rng = random.Random(seed)
        grids = page_break_no_header(official_grids(truth, pr), rng)
        fmt = ("html", "docx", "xlsx")[seed % 3]
        doc = _any_format(truth, grids, random.Random(0), formats=(fmt,))
        doc = doc.encode() if isinstance(doc, str) else doc
        report = _exact(doc, f"break.{fmt}", truth, pr.blanks)
        assert _values(report, "applications") == _truth_values(truth, "applications")
        at = next(i for i, (h, _) in enumerate(grids) if h.startswith("三"))
        continued = grids[at + 1][1]
        done.add((fmt, sum(c.cs for c in continued[0]) < 10))  # the continuation's rows start short
        if {("html", True), ("docx", True), ("xlsx", True)} <= done:
            break
    assert {("html", True), ("docx", True), ("xlsx", True)} <= done


if __name__ == "__main__":
    import sys

    if "-v" in sys.argv:
        for name, truth, report, exact, wrong, silent, unknown in results():
            if wrong or silent or unknown:
                print(name, truth.template, truth.variant, "wrong", wrong[:6], "silent", silent[:4], "unknown", len(unknown),
                      (report.warnings[:4] if report else None))
    print(figures())
