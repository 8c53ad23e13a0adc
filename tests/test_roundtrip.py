"""Random reports with known values, rendered in every text layout, read back.

Each report is consistent (every identity holds), so each layout with separators must come back
exact; the glued layout must come back exact or with the ambiguous cells flagged unknown, and
no cell may ever be wrong.
"""
from __future__ import annotations

import random
from functools import lru_cache

import pytest

from archive.textparse import parse_text
from tests.layouts import LAYOUTS, random_report, render

SEED = 20240601
N_REPORTS = 50


def make_cases():
    rng = random.Random(SEED)
    out = []
    for i in range(N_REPORTS):
        truth = random_report(rng)
        for layout in LAYOUTS:
            out.append((f"{i}-{layout}", truth, layout, render(truth, layout, random.Random(rng.random()))))
    return out


CASES = make_cases()
IDS = [c[0] for c in CASES]


@lru_cache(maxsize=None)
def read_back(case_id):
    """(report, wrong cells, unknown cells, rows that are not in the report) for one case."""
    _, truth, layout, text = CASES[IDS.index(case_id)]
    report = parse_text(text, f"roundtrip-{layout}")
    wrong, unknown = [], []
    for table, row, col in truth.cells():
        key = f"{table}.{row}.{col}"
        got = report.tables.get(table, {}).get(row, {}).get(col)
        if key in report.unknown_cells and got is None:
            unknown.append(key)
        elif got is None or got.number != truth.number(table, row, col):
            wrong.append((key, truth.tables[table][row][col], got and got.raw))
    extra = [f"{t}.{r}" for t, rows in report.tables.items() for r in rows if r not in truth.tables.get(t, {})]
    return report, wrong, unknown, extra


@pytest.mark.parametrize("case_id", IDS)
def test_no_cell_wrong(case_id):
    _, wrong, _, extra = read_back(case_id)
    assert (wrong, extra) == ([], [])


@pytest.mark.parametrize("case_id", [i for i in IDS if not i.endswith("-glued")])
def test_exact_when_cells_are_separated(case_id):
    assert read_back(case_id)[2] == []


@pytest.mark.parametrize("case_id", IDS)
def test_template_year_organ(case_id):
    _, truth, _, _ = CASES[IDS.index(case_id)]
    report = read_back(case_id)[0]
    assert (report.template, report.year, report.organ) == (truth.template, truth.year, truth.organ)


@pytest.mark.parametrize("case_id", IDS)
def test_consistent_report_fails_no_check(case_id):
    assert [c for c in read_back(case_id)[0].checks if c["status"] == "failed"] == []


@pytest.mark.parametrize("case_id", [i for i in IDS if i.endswith("-glued")])
def test_glued_unknown_cells_are_flagged(case_id):
    report, _, unknown, _ = read_back(case_id)
    assert report.flagged == bool(report.unknown_cells)


def test_glued_layout_recovers_most_application_cells():
    """The identities pin most glued 表三 cells: fewer than one in ten is left unknown."""
    total = unknown = 0
    for case_id, truth, layout, _ in CASES:
        if layout == "glued":
            total += sum(1 for t, _, _ in truth.cells() if t == "applications")
            unknown += sum(1 for k in read_back(case_id)[2] if k.startswith("applications."))
    assert unknown < total // 10
