"""Serving while a crawl writes the archive: the two ways measured side by side.

  immutable, in place   Datasette -i (as served before), the crawl writing the same file
  immutable, swap       Datasette -i, the crawl writing a copy that replaces the file at the end
  live (chosen)         Datasette opening the file read-only in WAL mode (`xxgk serve` now)

For each: a bounded request loop (5 pages, one after the other) during a crawl of six simulated
portals into an empty archive, then 50 requests after it: answers other than 200, median and
p95 latency during and after, and whether the served count of reports equals the database's
without a restart.

    python bench/serve_live.py
"""
from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from archive.publish import datasette_command  # noqa: E402
from archive.store import Archive  # noqa: E402
from crawler.registry import dump  # noqa: E402
from crawler.simulator.server import Simulator  # noqa: E402

PATHS = ["/xxgk/reports.json?_size=0", "/xxgk/reports?_sort=year", "/xxgk/cells.csv?_size=20", "/xxgk",
         "/xxgk/crawl_runs.json"]
KEYS = ["yunxi", "danxi", "yunling", "yifeng", "nangang", "hedong"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hammer(client, base, until, limit=5000):
    codes, ms = {}, []
    for i in range(limit):
        if until():
            break
        t = time.perf_counter()
        try:
            code = client.get(base + PATHS[i % len(PATHS)]).status_code
        except httpx.HTTPError:
            code = "error"
        ms.append((time.perf_counter() - t) * 1000)
        codes[code] = codes.get(code, 0) + 1
        time.sleep(0.01)
    return codes, ms


def pct(ms, q):
    return statistics.quantiles(ms, n=100)[q - 1] if len(ms) > 1 else float("nan")


def run(mode: str, sim: Simulator, tmp: Path) -> dict:
    data = tmp / mode.replace(" ", "_").replace(",", "")
    Archive(data).close()
    registry = tmp / "portals.yml"
    port = free_port()
    cmd = datasette_command(data, port=port)
    if mode.startswith("immutable"):
        cmd[cmd.index(str(data / "xxgk.db"))] = "-i"
        cmd.insert(cmd.index("-i") + 1, str(data / "xxgk.db"))
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                httpx.get(base + "/-/versions.json", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        target = data
        if mode == "immutable, swap":
            target = tmp / "building"
            shutil.copytree(data, target)
        crawl = subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", "--data", str(target), "--fast", "-q",
                                  "--registry", str(registry)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        t0 = time.perf_counter()
        with httpx.Client(timeout=30) as client:
            during, ms_during = hammer(client, base, lambda: crawl.poll() is not None)
            crawl.wait()
            crawl_s = time.perf_counter() - t0
            if mode == "immutable, swap":
                os.replace(target / "xxgk.db", data / "xxgk.db")  # atomic: readers see old or new
            after, ms_after = hammer(client, base, lambda: False, limit=50)
            try:
                shown = client.get(base + "/xxgk/reports.json?_size=0").json()["filtered_table_rows_count"]
            except Exception:
                shown = None
        real = sqlite3.connect(data / "xxgk.db").execute("select count(*) from reports").fetchone()[0]
        return {"mode": mode, "crawl_s": crawl_s, "during": during, "after": after,
                "p50_during": statistics.median(ms_during), "p95_during": pct(ms_during, 95),
                "p50_after": statistics.median(ms_after), "p95_after": pct(ms_after, 95), "shown": shown, "db": real}
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    with Simulator(seed=2024) as sim, tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        dump(sim.registry(KEYS), tmp / "portals.yml")
        rows = [run(mode, sim, tmp) for mode in ("live", "immutable, in place", "immutable, swap")]
    print("| serving | crawl s | answers during the crawl | after | median / p95 ms during | median / p95 ms after "
          "| reports shown / in the db |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        fmt = lambda d: ", ".join(f"{k}: {v}" for k, v in sorted(d.items(), key=str))
        print(f"| {r['mode']} | {r['crawl_s']:.1f} | {fmt(r['during'])} | {fmt(r['after'])} | "
              f"{r['p50_during']:.1f} / {r['p95_during']:.1f} | {r['p50_after']:.1f} / {r['p95_after']:.1f} | "
              f"{r['shown']} / {r['db']} |")


if __name__ == "__main__":
    main()
