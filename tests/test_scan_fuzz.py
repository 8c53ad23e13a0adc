"""A few of tests/scan_fuzz.py's degraded scans and photos, one report each, read through
parse_bytes and compared with the truth: never a wrong or silently missing cell, a report with
unknown cells flagged, and the classes the reader turns or straightens read as measured.
The whole runner: `python tests/scan_fuzz.py` (README, parsing)."""
from __future__ import annotations

import pytest

from tests import scan_fuzz as F

# class: (seed, cells exact, cells unknown). Exact counts, as measured: the readable classes read
# every cell; the others leave cells unknown, never wrong.
CASES = {
    "rot180": (0, 200, 0),  # upside down: turned half round by RapidOCR's reading of its lines
    "rot90": (0, 200, 0),  # sideways: its lines of text run down the page
    "skew": (0, 198, 0),  # 7.6° of skew (the search reaches ±10°)
    "photo": (0, 197, 1),  # perspective, dark desk, light falling off, a shadow
    "dpi100": (1, 0, 198),  # too coarse to trust: a minus sign lost by both engines; all unknown
    "faint_rules": (0, 26, 174),  # a rule missed: 表三's columns mapped twice are unknown, not shifted
}


@pytest.mark.parametrize("name", CASES)
def test_degraded_scan_reads_nothing_wrong(name):
    seed, exact, unknown = CASES[name]
    s = F.score(name, seed)
    assert (s.wrong, s.silent, s.failed, s.wrong_cells) == (0, 0, 0, [])
    assert s.unflagged == 0  # every report with unknown cells is flagged
    assert (s.exact, s.unknown) == (exact, unknown)
