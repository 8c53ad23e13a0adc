"""A re-crawl that finds nothing new against the full first crawl of the same simulated portals:
wall time and requests the portals answered, and their ratio.

    python bench/recrawl.py

Throttling is off (local simulator). The portals are the normal ones of every platform (the
obstacle portals are left out: their stalls and resets measure timeouts, not re-crawling).
TRS portals answer 304 to conditional requests; the others give no validators, so their
reports are fetched again and compared by SHA-256.
"""
from __future__ import annotations

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


def crawl(registry: Path, data: Path) -> tuple[float, str]:
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "archive.cli", "crawl", "--fast", "-q", "--registry", str(registry),
                        "--data", str(data)], capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - t, p.stdout.splitlines()[0] if p.stdout else p.stderr[-300:]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, Simulator(seed=2024, only=PORTALS) as sim:
        registry = Path(tmp) / "portals.yml"
        dump(sim.registry(), registry)
        data = Path(tmp) / "data"
        rows = []
        for name in ("first crawl", "re-crawl, nothing new"):
            before = len(sim.requests)
            seconds, summary = crawl(registry, data)
            rows.append((name, seconds, len(sim.requests) - before, summary))
        print(f"{'run':<24} {'seconds':>8} {'requests':>9}  summary")
        for name, seconds, requests, summary in rows:
            print(f"{name:<24} {seconds:>8.1f} {requests:>9}  {summary}")
        (_, t1, r1, _), (_, t2, r2, _) = rows
        print(f"re-crawl / first crawl: time {t2 / t1:.2f}, requests {r2 / r1:.2f}")


if __name__ == "__main__":
    main()
