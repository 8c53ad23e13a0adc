"""Re-crawling with delta-fetch, against the first crawl of the same simulated portals: wall time
and requests the portals answered.

    python bench/recrawl.py                 # both worlds
    python bench/recrawl.py --world normal

Worlds: `normal` is the nine normal simulated portals of every platform (the obstacle portals are
left out: their stalls and resets measure timeouts, not re-crawling), 335 report sources in
small columns; `large` is bench/crawl.py's world (six portals, one per list style, 20 organs ×
2008–2025 each: 2,160 reports), whose columns are as long as a real county's.

For each world: the first crawl, then a monthly re-crawl that finds nothing new (its share of
re-checks included). For the normal world, 5% of the reports are then corrected in place (same
URL, same list entry, new numbers) and monthly re-crawls run until all are found: the rotation
(1/12 a month by default) must find every one within 12 runs.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.registry import dump  # noqa: E402
from crawler.simulator.server import Simulator  # noqa: E402

PORTALS = ["yunxi", "yunling", "danxi", "qinghu", "yifeng", "nangang", "jianyang", "hedong", "wuxi"]


def crawl(registry: Path, data: Path, month: str) -> tuple[float, str]:
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "--fast", "--timeout", "30", "-q", "--registry", str(registry),
                        "--data", str(data), "--month", month], capture_output=True, text=True, cwd=ROOT)
    if p.returncode != 0:
        sys.exit(p.stdout + p.stderr[-3000:])
    return time.perf_counter() - t, p.stdout.splitlines()[0]


def correct_in_place(portals) -> list:
    """5% of the reports: a number restated at the same URL, the list entry untouched."""
    reports = [r for p in portals for r in p.expected_reports()]
    eligible = [r for r in reports if r.template == "2021" and getattr(r, "file", None) is None]
    n = round(len(reports) * 0.05)
    chosen = eligible[::len(eligible) // n][:n]
    for r in chosen:
        r.values["active"]["licensing"]["decisions"] += 7
    return chosen


def run_world(name: str, sim: Simulator, rotation: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        registry = Path(tmp) / "portals.yml"
        dump(sim.registry(), registry)
        data = Path(tmp) / "data"
        rows = []
        for label, month in (("first crawl", "2026-12"), ("re-crawl, nothing new", "2027-01")):
            before = len(sim.requests)
            seconds, summary = crawl(registry, data, month)
            rows.append((label, seconds, len(sim.requests) - before, summary))
        print(f"\n[{name}] {len(sim.portals)} portals")
        print(f"{'run':<24} {'seconds':>8} {'requests':>9}  summary")
        for label, seconds, requests, summary in rows:
            print(f"{label:<24} {seconds:>8.1f} {requests:>9}  {summary}")
        (_, t1, r1, _), (_, t2, r2, _) = rows
        print(f"re-crawl / first crawl: time {t2 / t1:.2f}, requests {r2 / r1:.3f}")
        if not rotation:
            return
        changed = correct_in_place(sim.portals)
        print(f"{len(changed)} reports (5%) corrected in place; monthly re-crawls until all are found:")
        found, total = 0, 0
        for i in range(2, 14):
            month = f"{2027 + (i - 1) // 12}-{(i - 1) % 12 + 1:02d}"
            before = len(sim.requests)
            seconds, summary = crawl(registry, data, month)
            requests = len(sim.requests) - before
            total += requests
            corrected = int(summary.split(" corrected")[0].rsplit(", ", 1)[-1]) if " corrected" in summary else 0
            found += corrected
            print(f"  {month}: {requests:>4} requests ({requests / r1:.3f} of the first crawl), {seconds:5.1f} s,"
                  f" {corrected} corrections found, {found}/{len(changed)} in all")
            if found == len(changed):
                break
        print(f"all {len(changed)} found within {i - 1} monthly runs" if found == len(changed)
              else f"only {found} of {len(changed)} found in 12 monthly runs")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--world", choices=("normal", "large", "both"), default="both")
    args = ap.parse_args()
    if args.world in ("normal", "both"):
        with Simulator(seed=2024, only=PORTALS) as sim:
            run_world("normal", sim, rotation=True)
    if args.world in ("large", "both"):
        from crawler.simulator.universe import build_bench

        with Simulator(portals=build_bench(organs=20)) as sim:
            run_world("large", sim, rotation=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
