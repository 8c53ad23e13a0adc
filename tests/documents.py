"""Reports of known values rendered into every attachment format, with the real tools.

The truth is a report of the portal simulator (crawler/simulator/world.py, seed 2024, used
read-only) with some zero cells printed blank, as offices often leave them. The renderers (DOCX
by python-docx, XLSX by openpyxl, PNG/JPG and scans by Pillow, DOC/WPS/PDF/XLS by LibreOffice)
live in crawler/simulator/documents.py, which the simulator's attachment portals use too.
"""
from __future__ import annotations

import copy
from functools import lru_cache

from archive import schema
from archive.htmlgrid import Cell
from crawler.simulator.documents import (FONT, SECTIONS, docx_bytes, grids, image_bytes, narrative,  # noqa: F401
                                         report_image, scan_pdf_bytes, soffice_convert, table_html, table_image,
                                         xlsx_bytes)

# Cells printed blank instead of 0: (table, row, col).
BLANKS = (
    [("applications", r, c) for r in ("denied_internal_affairs", "denied_enforcement_file", "unprocessed_excessive")
     for c in ("research", "social_welfare", "legal_service")]
    + [("reviews", "litigation_after_review", c) for c in ("upheld", "corrected", "other", "pending", "total")]
)


@lru_cache(maxsize=None)
def truth(template: str = "2021"):
    """A simulator report of the given template with busy tables, blanks printed where BLANKS say
    (only over zeros, so the printed report stays consistent)."""
    from crawler.simulator.world import build_world

    world = build_world(2024)
    candidates = [r for r in world.reports if r.template == template and r.organ.level == "county"]
    r = max(candidates, key=lambda r: (sum(v["total"] for v in r.values["reviews"].values()), r.year))
    r = copy.deepcopy(r)
    for table, row, col in BLANKS:
        if row in r.values[table] and r.values[table][row].get(col) == 0:
            r.values[table][row][col] = None
    return r


def expected(r) -> dict:
    """The canonical JSON values (../shared/corpus/README.md) of a truth report."""
    def js(v):
        if v is None:
            return None
        return int(v) if v == v.to_integral_value() and "." not in str(v) else str(v)

    return {t: {row: {c: js(v) for c, v in cols.items()} for row, cols in r.values[t].items()} for t in schema.TABLES}


def cells_equal(report, truth_values: dict) -> tuple[int, int, list[str]]:
    """(cells read exactly, cells in the truth, the wrong ones) for a parsed report."""
    got = report.to_json()
    right, wrong, total = 0, [], 0
    for t, rows in truth_values.items():
        for row, cols in rows.items():
            for col, v in cols.items():
                total += 1
                if f"{t}.{row}.{col}" in report.unknown_cells:
                    continue
                have = got.get(t, {}).get(row, {}).get(col, "missing")
                if have == v:
                    right += 1
                else:
                    wrong.append(f"{t}.{row}.{col}: {have!r} != {v!r}")
    return right, total, wrong


__all__ = ["Cell", "truth", "expected", "docx_bytes", "xlsx_bytes", "image_bytes", "scan_pdf_bytes",
           "soffice_convert", "cells_equal"]
