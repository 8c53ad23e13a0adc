"""`xxgk crawl --redis`: enqueue a crawl, run its writer and one worker, follow its progress,
record each portal's outcome when every portal is done and every item stored.
`xxgk status --redis`: the progress of a running crawl."""
from __future__ import annotations

import json
import logging
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

from archive.store import Archive, host_of

from .. import monitor
from ..recrawl import DEFAULT_SHARE, ensure_attachments, start_rotation, this_month
from ..registry import bare_entry
from . import BLOCKED, COUNTS, DONE, ITEMS, PORTALS, PREFIX, RUN, WORKERS, WRITING, connect, lease_key, portal_key
from .delta import publish
from .writer import Writer

log = logging.getLogger(__name__)


class CrawlError(Exception):
    pass


# Progress -------------------------------------------------------------------------------------
def progress(server) -> dict:
    """Where a crawl stands, from Redis alone."""
    run = {k.decode(): v.decode() for k, v in server.hgetall(RUN).items()}
    if not run:
        return {}
    counts = {k.decode(): int(v) for k, v in server.hgetall(COUNTS).items()}
    total = server.hlen(PORTALS)
    done = server.scard(DONE)
    blocked = server.scard(BLOCKED)  # not each done portal's saved state, read twice a second
    elapsed = max(time.time() - float(run.get("started", time.time())), 1e-6)
    pages = counts.get("pages", 0)
    workers = {k.decode(): json.loads(v) for k, v in server.hgetall(WORKERS).items()}
    live = {k: v for k, v in workers.items() if time.time() - v["at"] < 10}
    eta = elapsed / done * (total - done) if done else None
    return {"run_id": int(run["run_id"]), "state": run.get("state"), "portals": total, "done": done, "pages": pages,
            "new": counts.get("new", 0), "changed": counts.get("changed", 0) + counts.get("corrected", 0),
            "unchanged": counts.get("unchanged", 0), "failed": counts.get("failed", 0), "blocked": blocked,
            "queued_items": server.llen(ITEMS) + server.llen(WRITING), "rate": pages / elapsed, "elapsed": elapsed,
            "eta": eta, "workers": live}


def progress_line(p: dict) -> str:
    eta = f"{p['eta']:.0f} s" if p.get("eta") is not None else "?"
    return (f"portals {p['done']}/{p['portals']}, pages {p['pages']}, reports new {p['new']} changed {p['changed']}"
            f" failed {p['failed']}, blocked {p['blocked']}, {p['rate']:.1f} pages/s, {len(p['workers'])} workers,"
            f" {p['queued_items']} items to store, ETA {eta}")


def status_text(url: str) -> str:
    server = connect(url)
    p = progress(server)
    if not p:
        return f"{url}: no crawl running"
    if p["state"] == "finished":
        return f"crawl run {p['run_id']} finished: {server.hget(RUN, 'summary').decode()}"
    lines = [f"crawl run {p['run_id']} ({p['state']}), {p['elapsed']:.0f} s: {progress_line(p)}"]
    for wid, w in sorted(p["workers"].items()):
        lines.append(f"  worker {wid}: {len(w['portals'])} portals: {', '.join(w['portals'])}")
    return "\n".join(lines)


# The crawl ------------------------------------------------------------------------------------
def entries_of(urls, portals) -> list[dict]:
    entries = list(portals or [])
    by_host: dict[str, list[str]] = {}
    for u in urls:
        by_host.setdefault(bare_entry([u])["name"], []).append(u)
    return entries + [bare_entry(us) for us in by_host.values()]


def discover(entries: list[dict], polite: bool, timeout) -> tuple[list[dict], list[tuple]]:
    """Entries without a platform go through discovery here, before anything is queued (as in a
    single-process crawl); returns (ready entries, unreachable (entry, status, reason))."""
    todo = [e for e in entries if not e.get("platform")]
    ready = [e for e in entries if e.get("platform")]
    if not todo:
        return ready, []
    # Discovery runs Scrapy, whose reactor runs once a process: in a child process.
    code = ("import json, sys; from crawler.run import run_discovery;"
            "a = json.load(sys.stdin); json.dump(run_discovery(a['urls'], polite=a['polite'], timeout=a['timeout']),"
            " sys.stdout)")
    urls = [u for e in todo for u in e["start_urls"]]
    p = subprocess.run([sys.executable, "-c", code], input=json.dumps({"urls": urls, "polite": polite, "timeout": timeout}),
                       capture_output=True, text=True, check=True)
    found = json.loads(p.stdout)
    unreachable = []
    for e in todo:
        fs = [found[u] for u in e["start_urls"]]
        columns = list(dict.fromkeys(c for f in fs for c in f["columns"]))
        platform = next((f["platform"] for f in fs if f["platform"]), None)
        if columns and platform:
            ready.append({**e, "platform": platform, "start_urls": columns})
            continue
        reason = "; ".join(f["error"] for f in fs if f.get("error")) or "no 年报 column found from the start URLs"
        status = "blocked" if any(k in reason for k in ("challenge", "WAF", "HTTP 521")) else (
            "disallowed" if "robots.txt" in reason else "failed")
        unreachable.append(({**e, "platform": platform}, status, reason))
    return ready, unreachable


def portal_name(entry: dict) -> str:
    return entry["name"]


def enqueue(server, data_dir: Path, entries: list[dict], unreachable, conf: dict) -> int:
    archive = Archive(data_dir)
    run_id = archive.start_run([u for e in entries for u in e["start_urls"]])
    server.delete(*(server.keys(PREFIX + "*") or [PREFIX + "none"]))
    # What the workers' delta-fetch needs of the archive; as in a single-process crawl, no
    # portal's later list pages are left unread after an interrupted run.
    clean = set() if archive.resume_urls(run_id) else monitor.clean_portals(archive.db)
    ensure_attachments(archive.db)
    share = 1.0 if conf.get("verify") else (DEFAULT_SHARE if conf.get("verify_share") is None else conf["verify_share"])
    rechecked = start_rotation(archive.db, run_id, conf.get("month") or this_month(), share) & clean
    known = publish(server, archive.db, clean, conf.get("month"), rechecked)
    log.info("%d known reports published for delta-fetch", known)
    archive.close()
    pipe = server.pipeline(transaction=True)
    for e in entries:
        pipe.hset(PORTALS, portal_name(e), json.dumps(e, ensure_ascii=False))
    pipe.hset(RUN, mapping={"run_id": run_id, "data": str(Path(data_dir).resolve()), "started": time.time(),
                            "settings": json.dumps(conf), "state": "running",
                            "unreachable": json.dumps(unreachable, ensure_ascii=False)})
    pipe.execute()
    return run_id


def spawn_worker(url: str, slots: int, readers: int | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "crawler.cli", "worker", "--redis", url, "--portals", str(slots),
                             *(["--readers", str(readers)] if readers else [])], stdin=subprocess.DEVNULL)


def run_distributed(url: str, data_dir: Path, urls=(), portals=None, polite: bool = True, quiet: bool = False,
                    timeout: float | None = None, delay: float | None = None, slots: int = 16,
                    local_worker: bool = True, verify: bool = False, verify_share: float | None = None,
                    month: str | None = None, readers: int | None = None):
    """Enqueue (or, if this Redis holds a running crawl of the same archive, resume) a crawl, write
    the archive, run one worker, and return the crawl's figures (crawler.run.CrawlStats) once
    every portal is done and every item stored."""
    from ..run import CrawlStats

    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")
    server = connect(url)
    data_dir = Path(data_dir)
    run = {k.decode(): v.decode() for k, v in server.hgetall(RUN).items()}
    if run and run.get("state") == "running":
        if run["data"] != str(data_dir.resolve()):
            raise CrawlError(f"{url}: a crawl into {run['data']} is running there; finish it first")
        run_id = int(run["run_id"])
        log.warning("resuming the crawl run %d queued in %s", run_id, url)
    else:
        entries = entries_of(urls, portals)
        if not entries:
            raise CrawlError("nothing to crawl")
        ready, unreachable = discover(entries, polite, timeout)
        # The month is fixed here, so that every worker re-checks the same share.
        conf = {"polite": polite, "quiet": quiet, "timeout": timeout, "delay": delay, "verify": verify,
                "verify_share": verify_share, "month": month or this_month()}
        run_id = enqueue(server, data_dir, ready, unreachable, conf)
    writer = Writer(server, data_dir, run_id)
    worker = spawn_worker(url, slots, readers) if local_worker else None
    restarts = 0
    bar = None
    if not quiet:
        from tqdm import tqdm

        bar = tqdm(total=server.hlen(PORTALS), unit="portal", desc="crawl", file=sys.stderr, dynamic_ncols=True)
    last_log = 0.0
    try:
        while True:
            writer.step(block=0.5)
            p = progress(server)
            if bar is not None:
                bar.n = p["done"]
                bar.set_postfix_str(f"pages {p['pages']} new {p['new']} changed {p['changed']} failed {p['failed']}"
                                    f" blocked {p['blocked']} {p['rate']:.1f}/s workers {len(p['workers'])}")
            if time.time() - last_log >= 10:
                log.info("progress: %s", progress_line(p))
                last_log = time.time()
            if p["done"] >= p["portals"] and writer.idle():
                break
            if worker is not None and worker.poll() is not None and p["done"] < p["portals"]:
                # Our worker died (killed): another one takes its place; its portals come back
                # to the queue when their leases expire.
                restarts += 1
                if restarts > 5:
                    raise CrawlError(f"the local worker keeps exiting (last with {worker.returncode}); "
                                     f"the crawl stays queued in {url}: run the same command again")
                log.warning("the local worker exited with %s; starting another", worker.returncode)
                worker = spawn_worker(url, slots, readers)
    finally:
        if bar is not None:
            bar.close()
    server.hset(RUN, "state", "finishing")
    writer.close()
    stats = finish(server, data_dir, run_id)
    server.hset(RUN, mapping={"state": "finished", "summary": stats.summary()})
    if worker is not None:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.terminate()
            worker.wait()
    # The queues and seen sets of this crawl are not needed any more: they do not outlive it.
    keys = [k for k in server.keys(PREFIX + "*") if k != RUN.encode()]
    if keys:
        server.delete(*keys)
    return stats


def finish(server, data_dir: Path, run_id: int):
    """Each portal's status from its spider's outcome and stats (kept in Redis by its workers)
    and the writer's counts, as a single-process crawl records them."""
    from ..run import CrawlStats

    stats = CrawlStats()
    archive = Archive(data_dir)
    counts = {k.decode(): int(v) for k, v in server.hgetall(COUNTS).items()}
    for name, raw in sorted(server.hgetall(PORTALS).items()):
        name, e = name.decode(), json.loads(raw)
        state = server.get(portal_key(name, "state"))
        saved = pickle.loads(state) if state else None
        c = {k.decode(): int(v) for k, v in server.hgetall(portal_key(name, "counts")).items()}
        s = dict(saved["stats"]) if saved else {}
        # The writer's outcomes, and the reports the workers did not fetch again (delta-fetch, 304).
        seen = sum(c.values()) - c.get("failed", 0) + s.get("xxgk/reports_seen", 0)
        s.update({"xxgk/reports_seen": seen, **{f"xxgk/reports_{k}": v for k, v in c.items() if k != "failed"}})
        s["xxgk/failed"] = s.get("xxgk/failed", 0) + c.get("failed", 0)
        stats.add(s)
        from ..spiders.base import Outcome

        outcome = saved["outcome"] if saved else Outcome(start_errors=["no worker crawled it"])
        for url, st, why in outcome.unarchived:
            monitor.note_unarchived(e["start_urls"], url, st, why)
        row = monitor.record_outcome(archive.db, run_id, e, outcome, s, found=seen, new=c.get("new", 0))
        stats.portals.append(row)
        status = row["status"]
        for url, _, _ in outcome.unarchived:
            archive.seen(url, run_id)
        stats.unarchived += s.get("xxgk/unarchived", 0)
        if status == "ok" and not outcome.errors and not s.get("xxgk/failed") and not s.get("xxgk/list_pages_skipped"):
            stats.gone += archive.mark_gone(e["name"] if not e.get("bare") else host_of(e["start_urls"][0]), run_id)
    run = server.hgetall(RUN)
    for e, status, reason in json.loads(run.get(b"unreachable") or b"[]"):
        stats.portals.append(monitor.record(archive.db, run_id, e, status, reason,
                                            events=[(status, e["start_urls"][0], reason)]))
    stats.blocked = sum(1 for r in stats.portals if r["status"] == "blocked")
    archive.finish_run(run_id, pages=stats.pages, reports_seen=stats.seen, reports_new=stats.new,
                       reports_changed=stats.changed + stats.corrected, reports_unchanged=stats.unchanged,
                       not_modified=stats.not_modified, gone=stats.gone, failed=stats.failed, blocked=stats.blocked)
    archive.close()
    return stats
