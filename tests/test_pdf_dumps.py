"""Reports that reach the web as text dumps of a PDF, made by real tools: random consistent reports
(tests/layouts.py) written as DOCX (official merged tables and hand-typed flat ones), printed to
PDF by LibreOffice, dumped by poppler's `pdftotext -layout` and by markitdown, and read back
through archive.parse.parse_bytes (the text by labels, then archive/columns.py: rows by their
label fragments, values by column position, the identities where position cannot decide).

Every cell is compared with the truth: not one wrong, every cell not read listed unknown and its
report flagged, none missing unflagged. The share read is held to what was measured (README,
"Conversions by real tools"): `pdftotext -layout` keeps every value in its column and reads
nearly all; markitdown's plain lines lose where the blanks were, so only the identities place
their values, and many cells stay unknown.
"""
from __future__ import annotations

import random
import re
import shutil
from functools import lru_cache

import pytest

from archive.completeness import template_cells
from archive.parse import parse_bytes
from tests.layouts import PDF_DUMP_TOOLS, compare, pdf_dumps, random_report


SEED = 20261206  # five reports: 2019, 2021 and the mixed variant among them
N = 5
BASES = ("docx_official", "docx_word_flat")


@lru_cache(maxsize=None)
def results():
    """Per (tool, base, report): (truth, report, exact, wrong, unknown, text)."""
    if shutil.which("pdftotext") is None or shutil.which("soffice") is None:
        pytest.skip("needs poppler-utils and LibreOffice (scripts/system-packages.txt)")
    rng = random.Random(SEED)
    truths = [random_report(rng, mixed=0.3) for _ in range(N)]
    out = []
    for i, truth in enumerate(truths):
        for base in BASES:
            for tool, doc in pdf_dumps(truth, base, random.Random(i)).items():
                report = parse_bytes(doc.data, f"{tool}-{base}-{i}.txt")
                exact, wrong, unknown = compare(report, truth, doc.blanks)
                out.append((tool, base, truth, report, exact, wrong, unknown, doc))
    return out


def _share(tool: str, table: str | None = None) -> tuple[int, int]:
    ok = total = 0
    for t, _, _, _, exact, wrong, unknown, _ in results():
        if t != tool:
            continue
        pick = (lambda ks: [k for k in ks if table is None or k.startswith(table + ".")])
        ok += len(pick(exact))
        total += len(pick(exact)) + len(pick(wrong)) + len(pick(unknown))
    return ok, total


def test_templates_covered():
    kinds = {(truth.template, truth.variant) for _, _, truth, *_ in results()}
    assert kinds == {("2019", None), ("2021", None), ("2021", "mixed")}


def test_no_cell_wrong():
    wrong = [(tool, base, w) for tool, base, _, _, _, ws, _, _ in results() for w in ws]
    assert wrong == []


def test_every_cell_not_read_is_unknown_and_flagged():
    for tool, base, truth, report, exact, wrong, unknown, _ in results():
        assert set(unknown) <= set(report.unknown_cells), (tool, base)
        if unknown:
            assert report.flagged and report.incomplete, (tool, base)
        have = {f"{t}.{r}.{c}" for t, r, c, _ in report.cells()} | set(report.unknown_cells)
        assert set(template_cells(report.template, report.template_variant)) <= have, (tool, base)
        assert (report.template, report.template_variant) == (truth.template, truth.variant), (tool, base)


def test_consistent_reports_fail_no_check():
    failed = [(tool, c["check"]) for tool, _, _, report, *_ in results() for c in report.checks if c["status"] == "failed"]
    assert failed == []


def test_pdftotext_layout_read_by_column_position():
    """表三 read whole (it was 0 of 175 cells a report before archive/columns.py), and nearly
    every cell of the report."""
    ok, total = _share("pdf_pdftotext_layout", "applications")
    assert total > 1500 and ok == total, f"{ok}/{total}"
    ok, total = _share("pdf_pdftotext_layout")
    assert ok / total >= 0.97, f"{ok}/{total}"


def test_markitdown_pdf_read_where_the_identities_place_the_values():
    ok, total = _share("pdf_markitdown")
    assert ok / total >= 0.90, f"{ok}/{total}"


def test_tools_and_bases_all_run():
    assert {(t, b) for t, b, *_ in results()} == {(t, b) for t in PDF_DUMP_TOOLS for b in BASES}


def test_complete_text_is_not_read_again_by_position(monkeypatch):
    """The reading by position runs only when the text by labels left 表三 or 表四 incomplete:
    a complete text report never reaches it (the parse of ordinary reports costs what it did)."""
    from archive import columns
    from tests.layouts import render_family

    def refuse(*args, **kwargs):
        raise AssertionError("read by position")

    monkeypatch.setattr(columns, "read_by_columns", refuse)
    for family in ("text_pdf_text", "text_tabs", "md_mineru"):
        truth = random_report(random.Random(9))
        doc = render_family(truth, family, random.Random(9))
        report = parse_bytes(doc.data, f"{family}.txt")
        assert not report.unknown_cells


# What the reading does when position cannot decide --------------------------------------------------
def _table3_lines(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    start = next(n for n, line in enumerate(lines) if "收到和处理政府信息公开申请" in line)
    end = next(n for n, line in enumerate(lines) if "行政复议、行政诉讼情况" in line)
    return start, end


def test_without_positions_only_the_identities_place_blanks():
    """The same dumps with every run of spaces in 表三 cut to one (the values' places lost, as in
    markitdown's plain lines): a row missing a blank is placed only where A1–A3 allow exactly one
    placement; nothing is read wrong and what is not placed is unknown and flagged."""
    unknown_total = 0
    for tool, base, truth, _, _, _, _, doc in results():
        if tool != "pdf_pdftotext_layout":
            continue
        lines = doc.data.decode().split("\n")
        start, end = _table3_lines(doc.data.decode())
        lines[start:end] = [re.sub(r" {2,}", " ", line) for line in lines[start:end]]
        report = parse_bytes("\n".join(lines).encode(), f"squeezed-{base}.txt")
        exact, wrong, unknown = compare(report, truth, doc.blanks)
        assert wrong == [], base
        assert set(unknown) <= set(report.unknown_cells)
        if unknown:
            assert report.flagged
        unknown_total += len([k for k in unknown if k.startswith("applications.")])
    assert unknown_total > 0  # some blanks cannot be placed without their position


def test_rows_that_cannot_be_told_apart_are_not_read():
    """A value line whose label fragment belongs to no row in its place (`3.危` printed as `9.危`):
    the rows cannot be matched one way, so 表三 is not read by position (unknown, flagged), and no
    value lands in a neighbouring row."""
    for tool, base, truth, _, _, _, _, doc in results():
        if tool != "pdf_pdftotext_layout":
            continue
        text = doc.data.decode()
        if "3.危" not in text:
            continue
        report = parse_bytes(text.replace("3.危", "9.危").encode(), f"misnumbered-{base}.txt")
        exact, wrong, unknown = compare(report, truth, doc.blanks)
        assert wrong == []
        assert any(k.startswith("applications.") for k in unknown) and report.flagged
        return
    pytest.fail("no dump printed the fragment 3.危")


if __name__ == "__main__":  # python tests/test_pdf_dumps.py: the figures of the README
    print("| tool | DOCX tables | reports | cells exact | wrong | unknown (flagged) |")
    print("|---|---|---|---|---|---|")
    for tool in PDF_DUMP_TOOLS:
        for base in BASES:
            rows = [r for r in results() if r[0] == tool and r[1] == base]
            ok = sum(len(r[4]) for r in rows)
            total = sum(len(r[4]) + len(r[5]) + len(r[6]) for r in rows)
            print(f"| {tool} | {base} | {len(rows)} | {ok}/{total} ({100 * ok / total:.1f}%) | "
                  f"{sum(len(r[5]) for r in rows)} | {sum(len(r[6]) for r in rows)} |")


@pytest.mark.parametrize("folio", ["- 3 -", "第 3 页", "                    3"])
def test_page_numbers_between_the_rows_are_not_a_row(folio):
    """A page number printed at the foot of each page (here inside 表三 and 表四), below the
    body as pdftotext prints it, is no row of one value: the dumps read exactly as without it."""
    for tool, base, truth, report, exact, wrong, unknown, doc in results():
        if tool != "pdf_pdftotext_layout":
            continue
        text = doc.data.decode()
        assert "\f" in text
        again = parse_bytes(text.replace("\f", f"\n\n{folio}\n\f").encode(), f"folio-{base}.txt")
        assert compare(again, truth, doc.blanks) == (exact, wrong, unknown)


def test_a_number_wrapped_in_its_cell_is_joined_again():
    """A value too wide for its narrow 表四 cell printed over two lines (`12` over `7`, the tail
    starting where the number starts), also as the last line of a page, is read as 127, as
    printed whole; the tail shifted by one character is never read as a number of its own."""
    checked = 0
    for tool, base, truth, report, exact, wrong, unknown, doc in results():
        if tool != "pdf_pdftotext_layout":
            continue
        lines = doc.data.decode().split("\n")
        start = next(n for n, line in enumerate(lines) if "行政复议、行政诉讼情况" in line)
        n, m = next(((n, m) for n in range(start, len(lines) - 1) for m in re.finditer(r"\d{2,}", lines[n])
                     if not re.search(r"[^\d ]", lines[n]) and not re.search(r"\d", lines[n + 1])), (None, None))
        if n is None:
            continue
        head, tail = lines[n][: m.end() - 1] + " " + lines[n][m.end():], " " * m.start() + m.group()[-1]
        for rest in (lines[n + 1:], ["\f" + lines[n + 1]] + lines[n + 2:]):
            again = parse_bytes("\n".join(lines[:n] + [head, tail] + rest).encode(), f"wrapped-{base}.txt")
            assert compare(again, truth, doc.blanks) == (exact, wrong, unknown)
        again = parse_bytes("\n".join(lines[:n] + [head, " " + tail] + lines[n + 1:]).encode(), f"shifted-{base}.txt")
        got, bad, unread = compare(again, truth, doc.blanks)
        assert bad == [] and set(unread) <= set(again.unknown_cells) and again.flagged
        checked += 1
    assert checked >= 5
