"""Re-crawling with delta-fetch, against the first crawl of the same simulated portals: wall time
and requests the portals answered.

    python bench/recrawl.py                 # both worlds
    python bench/recrawl.py --world normal

Worlds: `normal` is the nine normal simulated portals of every platform (the obstacle portals are
left out: their stalls and resets measure timeouts, not re-crawling), 335 report sources in
small columns; `large` is bench/crawl.py's world (six portals, one per list style, 20 organs ×
2008–2025 each: 2,160 reports), whose columns are as long as a real county's.

For each world: the first crawl, then monthly re-crawls that find nothing new (their share of
re-checks included), each with its requests by kind: two in the publication season (January to
March: every column read; the second in the same month, as the season's weekly runs are, its
re-checks made already), three out of it (a column that holds every report due is read in one
of three runs), one out of it with `--every-list`. For the normal world, 5% of the reports are
then corrected in place (same URL, same list entry, new numbers) and monthly re-crawls run until
all are found: the rotation (1/12 a month by default) must find every one within 12 runs.
`--show-lists` prints every list or start page the re-crawls read. Each nothing-new run is also
split into the delta-fetch's requests (robots.txt, home pages, lists) and the rotation's
(re-checked report pages and the files they lead to), and each world ends with how many runs are
at or under 10% of the first crawl's requests, with and without the rotation.
"""
from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.store import DB_NAME  # noqa: E402
from crawler.registry import dump  # noqa: E402
from crawler.simulator.server import FILE_HOST, Simulator  # noqa: E402

PORTALS = ["yunxi", "yunling", "danxi", "qinghu", "yifeng", "nangang", "jianyang", "hedong", "wuxi"]


def crawl(registry: Path, data: Path, month: str, *extra: str) -> tuple[float, str]:
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "--fast", "--timeout", "30", "-q", "--registry", str(registry),
                        "--data", str(data), "--month", month, *extra], capture_output=True, text=True, cwd=ROOT)
    if p.returncode != 0:
        sys.exit(p.stdout + p.stderr[-3000:])
    return time.perf_counter() - t, p.stdout.splitlines()[0]


def path_of(url: str) -> str:
    """A URL's path and query, percent-decoded (the archive keeps some as linked, in Chinese)."""
    parts = urlsplit(url)
    return unquote(parts.path + (f"?{parts.query}" if parts.query else ""))


def breakdown(requests: list, data: Path, not_modified: int, show: bool = False) -> Counter:
    """The run's requests by kind, from what the archive knows of each path: robots.txt, home
    pages, report pages (entry URLs), attachments (archived sources that are not entry URLs),
    list and start pages (the rest); and how many asked for a path the run had asked for before."""
    db = sqlite3.connect(data / DB_NAME)
    entries = {path_of(u) for (u,) in db.execute("select distinct entry_url from sources where entry_url is not null")}
    files = {path_of(u) for (u,) in db.execute("select url from sources")} - entries
    # Attachments as linked (a Hanweb downfile.jsp answers with a redirect to the stored file).
    files |= {path_of(u) for (u,) in db.execute("select url from attachments")} - entries
    db.close()
    kinds, asked = Counter(), Counter()
    for key, method, path in requests:
        path = unquote(path)
        asked[(key, method, path)] += 1
        if asked[(key, method, path)] > 1:
            kinds["repeats of a request"] += 1
        if path == "/robots.txt":
            kinds["robots.txt"] += 1
        elif path in ("/", "/index.html"):
            kinds["home pages"] += 1
        elif path in entries:
            kinds["report pages (re-checks and new)"] += 1
        elif key.endswith(FILE_HOST) or path in files:
            kinds["attachments"] += 1
        else:
            kinds["list and start pages"] += 1
            if show:
                print(f"    list/start: {key} {method} {path}")
    kinds["of them answered 304"] = not_modified
    return kinds


def correct_in_place(portals) -> list:
    """5% of the reports: a number restated at the same URL, the list entry untouched."""
    reports = [r for p in portals for r in p.expected_reports()]
    eligible = [r for r in reports if r.template == "2021" and getattr(r, "file", None) is None]
    n = round(len(reports) * 0.05)
    chosen = eligible[::len(eligible) // n][:n]
    for r in chosen:
        r.values["active"]["licensing"]["decisions"] += 7
    return chosen


# (label, month, extra arguments): the first crawl, then re-crawls that find nothing new: two in
# the publication season (every column read; the second, like the season's weekly runs, in the
# same month: the month's re-checks are made already), three out of it (each complete column
# read in one of the three), and one out of it with every column read (--every-list).
RUNS = [("first crawl", "2026-01", ()),
        ("nothing new, 2026-02 (season)", "2026-02", ()),
        ("nothing new, 2026-02 again (the season's weekly runs)", "2026-02", ()),
        ("nothing new, 2026-05", "2026-05", ()),
        ("nothing new, 2026-06", "2026-06", ()),
        ("nothing new, 2026-07", "2026-07", ()),
        ("nothing new, --every-list", "2026-08", ("--every-list",))]


def run_world(name: str, sim: Simulator, rotation: bool, show: bool = False) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        registry = Path(tmp) / "portals.yml"
        dump(sim.registry(), registry)
        data = Path(tmp) / "data"
        rows, splits = [], []
        print(f"\n[{name}] {len(sim.portals)} portals")
        for label, month, extra in RUNS:
            before, before_304 = len(sim.requests), len(sim.not_modified)
            seconds, summary = crawl(registry, data, month, *extra)
            requests = len(sim.requests) - before
            rows.append((label, seconds, requests, summary))
            if rows[1:]:
                kinds = breakdown(sim.requests[before:], data, len(sim.not_modified) - before_304, show)
                share = f"{requests / rows[0][2]:.3f} of the first crawl's requests, {seconds / rows[0][1]:.2f} of its time"
                print(f"{label}: {requests} requests, {seconds:.1f} s ({share}); by kind: "
                      + ", ".join(f"{k} {n}" for k, n in kinds.items()))
                # In a run that finds nothing new every report page asked for is a re-check of the
                # rotation, and every file one a re-checked shell page leads to.
                rotating = kinds["report pages (re-checks and new)"] + kinds["attachments"]
                delta = requests - rotating
                print(f"  delta-fetch (robots.txt, home pages, lists): {delta} ({delta / rows[0][2]:.3f});"
                      f" the rotation's re-checks: {rotating} ({rotating / rows[0][2]:.3f})")
                splits.append((label, requests, delta))
            print(f"  {summary}")
            if not rows[1:]:
                print(f"{label}: {requests} requests, {seconds:.1f} s")
        out = [r for label, _, r, _ in rows if label in ("nothing new, 2026-05", "nothing new, 2026-06", "nothing new, 2026-07")]
        print(f"out of season, nothing new: {min(out)}-{max(out)} requests a run, mean {sum(out) / 3:.1f}:"
              f" {sum(out) / 3 / rows[0][2]:.3f} of the first crawl's")
        first = rows[0][2]
        print(f"nothing-new runs at ≤ 10% of the first crawl's requests ({first / 10:.1f}): "
              f"{sum(r <= first / 10 for _, r, _ in splits)} of {len(splits)} in all; "
              f"{sum(d <= first / 10 for _, _, d in splits)} of {len(splits)} without the rotation's re-checks"
              f" (largest {max(d for _, _, d in splits) / first:.3f})")
        if not rotation:
            return
        r1 = rows[0][2]
        changed = correct_in_place(sim.portals)
        print(f"{len(changed)} reports (5%) corrected in place; monthly re-crawls until all are found:")
        found = 0
        for i in range(12):
            # 2026-09 … 2027-08: the months after the corrections were made. August's re-checks
            # were made by the --every-list run, before them: a second August run re-checks
            # nothing, and the reports of August's share are re-checked in August 2027.
            month = f"{2026 + (8 + i) // 12}-{(8 + i) % 12 + 1:02d}"
            before = len(sim.requests)
            seconds, summary = crawl(registry, data, month)
            requests = len(sim.requests) - before
            corrected = int(summary.split(" corrected")[0].rsplit(", ", 1)[-1]) if " corrected" in summary else 0
            found += corrected
            print(f"  {month}: {requests:>4} requests ({requests / r1:.3f} of the first crawl), {seconds:5.1f} s,"
                  f" {corrected} corrections found, {found}/{len(changed)} in all")
            if found == len(changed):
                break
        print(f"all {len(changed)} found within {i + 1} monthly runs" if found == len(changed)
              else f"only {found} of {len(changed)} found in 12 monthly runs")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--world", choices=("normal", "large", "both"), default="both")
    ap.add_argument("--show-lists", action="store_true", help="print each list or start page the nothing-new run read")
    args = ap.parse_args()
    if args.world in ("normal", "both"):
        with Simulator(seed=2024, only=PORTALS) as sim:
            run_world("normal", sim, rotation=True, show=args.show_lists)
    if args.world in ("large", "both"):
        from crawler.simulator.universe import build_bench

        with Simulator(portals=build_bench(organs=20)) as sim:
            run_world("large", sim, rotation=False, show=args.show_lists)
    return 0


if __name__ == "__main__":
    sys.exit(main())
