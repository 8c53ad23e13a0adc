"""`xxgk`: the one command for everything a user does."""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import click

DEFAULT_DATA = "data"


def data_dir_option(f):
    return click.option(
        "--data",
        "data_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=lambda: os.environ.get("XXGK_DATA", DEFAULT_DATA),
        show_default="data/ or $XXGK_DATA",
        help="Archive directory (holds xxgk.db).",
    )(f)


def _database_error(e: BaseException) -> bool:
    # sqlite3's and pysqlite3's errors alike (sqlite-utils uses pysqlite3 when installed)
    return any(c.__name__ == "DatabaseError" and "sqlite" in c.__module__ for c in type(e).__mro__)


class _Main(click.Group):
    """The command line: an archive that cannot be read (corrupt, locked, not a database) is
    one line naming it, never a traceback."""

    def parse_args(self, ctx, args):
        self._argv = list(args)  # to name the archive in an error, whichever command failed
        return super().parse_args(ctx, args)

    def _data_dir(self) -> Path:
        argv, data = getattr(self, "_argv", []), os.environ.get("XXGK_DATA", DEFAULT_DATA)
        for i, a in enumerate(argv):
            if a == "--data" and i + 1 < len(argv):
                data = argv[i + 1]
            elif a.startswith("--data="):
                data = a.split("=", 1)[1]
        return Path(data)

    def invoke(self, ctx):
        from archive.lock import Locked

        try:
            return super().invoke(ctx)
        except Locked as e:
            raise click.ClickException(str(e)) from None
        except Exception as e:
            if not _database_error(e):
                raise
            what = ("is locked by another process (a crawl writing it?)" if "locked" in str(e)
                    else "is not a readable archive (damaged, or not an xxgk database)")
            raise click.ClickException(f"{self._data_dir() / 'xxgk.db'} {what}: {e}") from None


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """xxgk-archive: 政府信息公开工作年度报告 — crawl, parse, check, publish."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the canonical JSON (a list for several files).")
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
@click.option("--time-limit", type=float, default=None, metavar="S",
              help="Seconds one file may take (default 300, or $XXGK_READER_TIMEOUT).")
@click.option("--memory-limit", type=int, default=None, metavar="MIB",
              help="Memory one file may take, in MiB (default 3072, or $XXGK_READER_MEMORY_MB).")
def parse(files, as_json, debug, time_limit, memory_limit):
    """Parse local report files (HTML, PDF, text) into the canonical tables."""
    from archive.errors import ParseError
    from archive.parse import parse_file_result
    from archive.reader import MEMORY_LIMIT, TIME_LIMIT, LimitedExecutor

    outputs, failed = [], 0
    # Each file in a reader process with a memory limit and a wall clock: a hostile file ends in
    # its one line (too large, timed out) and the next file goes on in a fresh reader.
    reader = LimitedExecutor(max_workers=1, timeout=time_limit or TIME_LIMIT,
                             memory=(memory_limit * 2**20) if memory_limit else MEMORY_LIMIT)
    for path in files:
        try:
            report, reason = reader.submit(parse_file_result, str(path)).result()
            if reason is not None:
                raise ParseError(str(path), reason)
        except ParseError as e:
            failed += 1
            click.echo(f"xxgk parse: {path}: {e.reason}", err=True)
            outputs.append({"file": str(path), "error": e.reason})
            continue
        except Exception as e:  # one bad file must not stop the others
            if debug:
                raise
            failed += 1
            click.echo(f"xxgk parse: {path}: internal error: {type(e).__name__}: {e}", err=True)
            outputs.append({"file": str(path), "error": f"{type(e).__name__}: {e}"})
            continue
        doc = {"file": str(path), **report.to_json()}
        outputs.append(doc)
        if not as_json:
            cells = sum(1 for _ in report.cells())
            failed_checks = [c["check"] for c in report.checks if c["status"] == "failed"]
            click.echo(
                f"{path}: {report.organ or '?'} {report.year or '?'} template={report.template} "
                f"cells={cells} unknown={len(report.unknown_cells)}"
                + (f" failed-checks={','.join(failed_checks)}" if failed_checks else "")
            )
    reader.shutdown()
    if as_json:
        payload = outputs[0] if len(outputs) == 1 else outputs
        click.echo(json.dumps(payload, ensure_ascii=False, indent=1))
    sys.exit(1 if failed else 0)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8800, show_default=True, type=int, help="Port of the first portal (云溪县); the others take free ports.")
@click.option("--seed", default=2024, show_default=True, type=int, help="Seed of the generated portals.")
@click.option("--registry-out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a registry of the simulated portals (for `xxgk crawl --registry`).")
@click.option("--families", is_flag=True, help="Serve the portal families of portal-evidence.md instead of the demo universe.")
def simulate(host, port, seed, registry_out, families):
    """Run the portal simulator alone and print its portals' addresses."""
    from crawler.registry import dump
    from crawler.simulator.server import Simulator

    sim = Simulator(seed=seed, host=host, port=port, families=families)
    sim.start()
    if registry_out:
        dump(sim.registry(), registry_out)
    click.echo(f"portal simulator at {sim.url}" + (f"  (county column: {sim.url}{sim.world.start_path})" if sim.world else ""))
    for p in sim.portals:
        click.echo(f"  {sim.base(p.key)}{p.start_path}  {p.platform:<8} {p.name}"
                   + (f"  [obstacle: {p.obstacle}]" if p.obstacle else ""))
    if registry_out:
        click.echo(f"registry of the simulated portals written to {registry_out}")
    click.echo("Ctrl-C to stop.")
    try:
        sim.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()


@main.command()
@click.argument("urls", nargs=-1)
@data_dir_option
@click.option("--registry", "registry_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Portal registry (YAML); default crawler/portals.yml when --portal is given.")
@click.option("--portal", "names", multiple=True, help="Crawl only this registry portal (repeatable).")
@click.option("--polite/--fast", default=True, help="--fast turns throttling off (local simulator only).")
@click.option("--timeout", type=float, help="Seconds to wait for an answer (default 60, or 2 with --fast).")
@click.option("--verify", is_flag=True,
              help="Re-check every archived report (conditionally where the portal allows) and read every list page.")
@click.option("--verify-share", type=click.FloatRange(0, 1), default=1 / 12, show_default="1/12",
              help="Share of the archived reports re-checked by a run, rotating month by month.")
@click.option("--month", metavar="YYYY-MM", help="The month whose share is re-checked (default: this month).")
@click.option("--every-list", is_flag=True,
              help="Read every column's first page, also outside January-March when it holds every report due"
                   " (by default such a column is read in one monthly run of three).")
@click.option("-q", "--quiet", is_flag=True)
@click.option("--wait", type=float, default=0, metavar="S",
              help="If another crawl is writing the archive, wait up to S seconds for it (default: refuse at once).")
@click.option("--redis", "redis_url", metavar="redis://HOST:PORT/DB",
              help="Crawl over several machines: queue it in this Redis, write the archive here, run one worker"
                   " (more join with `xxgk worker`).")
@click.option("--delay", type=float, help="With --redis: seconds between two requests to one host (one at a time).")
@click.option("--portals", "slots", type=int, default=16, show_default=True,
              help="With --redis: portals this machine's worker crawls at once.")
@click.option("--readers", type=click.IntRange(1), help="With --redis: reader processes of this machine's worker"
              " (default: the cores divided among the workers on this machine).")
def crawl(urls, data_dir, registry_path, names, polite, timeout, verify, verify_share, month, every_list, quiet, wait,
          redis_url, delay, slots, readers):
    """Crawl portals of the registry and/or bare URLs (home pages or 年报 columns) into the archive."""
    from crawler import registry
    from crawler.run import run_crawl

    portals = None
    if registry_path or names:
        try:
            portals = registry.select(registry.load(registry_path), list(names))
        except registry.RegistryError as e:
            raise click.UsageError(str(e))
    if not urls and not portals:
        raise click.UsageError("give URLs, --registry FILE or --portal NAME")
    bad = [u for u in urls if not u.startswith(("http://", "https://"))]
    if bad:
        raise click.UsageError(f"not an http(s) URL: {bad[0]}")
    if month and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise click.UsageError(f"--month must be YYYY-MM, not {month}")
    if redis_url:
        from crawler.distributed import RedisUnavailable
        from crawler.distributed.coordinator import CrawlError, run_distributed

        from archive.lock import DataLock

        lock = DataLock(data_dir).acquire(wait)  # one writer per archive, distributed or not
        try:
            stats = run_distributed(redis_url, data_dir, list(urls), portals, polite=polite, quiet=quiet,
                                    timeout=timeout, delay=delay, slots=slots, verify=verify,
                                    verify_share=verify_share, month=month, readers=readers)
        except (RedisUnavailable, CrawlError) as e:
            raise click.ClickException(str(e))
        finally:
            lock.release()
    else:
        stats = run_crawl(list(urls), data_dir, polite=polite, quiet=quiet, portals=portals, timeout=timeout,
                          verify=verify, verify_share=verify_share, month=month, wait=wait, every_list=every_list)
    click.echo(stats.summary())
    click.echo(stats.portal_lines())
    sys.exit(0 if stats.ok else 1)


@main.command()
@click.option("--redis", "redis_url", required=True, metavar="redis://HOST:PORT/DB", help="The crawl's Redis.")
@click.option("--portals", "slots", type=int, default=16, show_default=True, help="Portals crawled at once.")
@click.option("--wait", type=float, default=30, show_default=True, help="Seconds to wait for a crawl to join.")
@click.option("--readers", type=click.IntRange(1),
              help="Reader processes (parsing); default: the cores divided among the workers on this machine.")
def worker(redis_url, slots, wait, readers):
    """Join a running distributed crawl as one more worker (no archive directory needed)."""
    from crawler.distributed import RedisUnavailable
    from crawler.distributed.worker import run_worker

    try:
        sys.exit(run_worker(redis_url, slots, wait, readers))
    except RedisUnavailable as e:
        raise click.ClickException(str(e))


@main.command()
@click.option("--redis", "redis_url", required=True, metavar="redis://HOST:PORT/DB", help="The crawl's Redis.")
def status(redis_url):
    """Print the progress of a distributed crawl."""
    from crawler.distributed import RedisUnavailable
    from crawler.distributed.coordinator import status_text

    try:
        click.echo(status_text(redis_url))
    except RedisUnavailable as e:
        raise click.ClickException(str(e))


@main.command()
@click.argument("urls", nargs=-1, required=True)
@click.option("--polite/--fast", default=True)
def discover(urls, polite):
    """Recognise the platform of portal home pages and find their 年报 columns; the URL of a 年报
    article is turned into its column first (from the URL's shape)."""
    from crawler.registry import column_of
    from crawler.run import run_discovery

    columns = {}
    for url in urls:
        if col := column_of(url):
            click.echo(f"{url}: an article; its column is {col}")
        columns[url] = col or url
    found_by = run_discovery(list(dict.fromkeys(columns.values())), polite=polite)
    for url in urls:
        found = found_by[columns[url]]
        click.echo(f"{columns[url]}: platform {found['platform'] or '?'}" + (f"  error: {found['error']}" if found["error"] else ""))
        for c in found["columns"]:
            click.echo(f"  {c}")


@main.command()
@click.option("--registry", "registry_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@data_dir_option
@click.option("--status", is_flag=True, help="Show the per-portal status of the last crawls instead.")
@click.option("--check-codes", is_flag=True, help="Compare the entries' 行政区划代码 with the region table instead.")
def portals(registry_path, data_dir, status, check_codes):
    """List the portal registry by province, or the per-portal crawl status."""
    if status:
        import sqlite_utils

        db = sqlite_utils.Database(Path(data_dir) / "xxgk.db")
        if not db["portal_status"].exists():
            raise click.ClickException("no crawl has recorded a portal status yet")
        for r in db.query("select * from portal_status order by portal"):
            click.echo(f"{r['status']:<10} {r['reports_found']:>4} found  last success {r['last_success'] or '-':<25} "
                       f"{r['portal']}" + (f"  ({r['reason']})" if r["reason"] else "")
                       + (f"  WARNING: {r['warning']}" if r["warning"] else ""))
        return
    from crawler import registry

    try:
        entries = registry.load(registry_path)
    except registry.RegistryError as e:
        raise click.ClickException(str(e))
    if check_codes:
        problems = registry.check_codes(entries)
        for line in problems:
            click.echo(line)
        click.echo(f"{len(problems)} mismatches in {sum(1 for e in entries if e.get('code'))} coded entries "
                   f"({sum(1 for e in entries if not e.get('code'))} without a code)")
        return
    by_province: dict[str, list[dict]] = {}
    for e in entries:
        by_province.setdefault(registry.province_of(e), []).append(e)
    for province in sorted(by_province, key=lambda p: (p in ("国家", "未知"), registry.province_order(p))):
        group = by_province[province]
        click.echo(f"{province} ({len(group)} portals, {sum(1 for e in group if e.get('verified'))} verified)")
        for e in group:
            click.echo(f"  {e['name']}\t{e.get('code') or '-'}\t{e['level']}\t{e.get('platform') or '?'}\t"
                       f"{' '.join(e['start_urls'])}\t{'verified' if e.get('verified') else 'unverified'}")
    click.echo(f"{len(entries)} portals in {len(by_province)} groups, "
               f"{sum(1 for e in entries if e.get('verified'))} verified")


@main.command()
@data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--allow-sql", is_flag=True, help="Allow custom SQL queries (1 s each); off by default, for public serving.")
def serve(data_dir, host, port, allow_sql):
    """Serve the archive with Datasette (read-only; it sees what a running crawl writes)."""
    from archive.publish import serve as serve_archive

    serve_archive(data_dir, host=host, port=port, allow_sql=allow_sql)


@main.command()
@data_dir_option
@click.option("--registry", "registry", default="crawler/portals.yml", show_default=True,
              help="The portal registry the scheduled crawls read.")
def schedule(data_dir, registry):
    """Print ready cron and systemd-timer lines for the monthly and the yearly re-crawl."""
    root = Path(__file__).resolve().parent.parent
    xxgk = Path(sys.executable).with_name("xxgk")
    data = Path(data_dir).resolve()
    reg = (root / registry) if not Path(registry).is_absolute() else Path(registry)
    cmd = f"{xxgk} crawl --registry {reg} --data {data}"
    log = data / "crawl.log"
    click.echo(f"""# Reports appear from mid-January to March, each for the year before: crawl every Monday
# then, and on the first of every other month for corrections and late postings. A re-crawl
# fetches only what is new or changed, and re-checks a twelfth of the archived reports, a
# different twelfth each month; from April, a column that already holds every report due is
# read every third month (--every-list: every month); once a year (--verify) it re-checks all
# and reads every list page, which also finds the reports taken down. A killed run resumes
# where it stopped.

# crontab -e
30 2 * 1-3 1  cd {root} && {cmd} >> {log} 2>&1
15 3 1 4-11 *  cd {root} && {cmd} >> {log} 2>&1
15 3 1 12 *  cd {root} && {cmd} --verify >> {log} 2>&1

# or systemd (monthly runs; for the yearly full re-check, a second service and timer with
# `--verify` and OnCalendar=*-12-01 03:15:00 in place of the December run):
# /etc/systemd/system/xxgk-crawl.service
[Unit]
Description=xxgk-archive re-crawl of the portal registry
[Service]
Type=oneshot
WorkingDirectory={root}
ExecStart={cmd}

# /etc/systemd/system/xxgk-crawl.timer   (then: systemctl enable --now xxgk-crawl.timer)
[Unit]
Description=xxgk-archive re-crawls: weekly in January-March, monthly after
[Timer]
OnCalendar=Mon *-01..03-* 02:30:00
OnCalendar=*-04..12-01 03:15:00
Persistent=true
[Install]
WantedBy=timers.target""")


@main.command()
@data_dir_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the CSV files (default: DATA/export).")
def export(data_dir, out_dir):
    """Write prebuilt CSV files per table and per year (UTF-8 with BOM, for Excel)."""
    from archive.publish import export as export_csv

    out_dir = out_dir or Path(data_dir) / "export"
    written = export_csv(data_dir, out_dir)
    click.echo(f"wrote {len(written)} CSV files to {out_dir}: " + ", ".join(
        f"{name} ({rows})" for name, rows in written.items() if "_" not in name.removesuffix(".csv")[-5:]))


@main.command()
@data_dir_option
@click.option("--serve/--no-serve", default=True, help="--no-serve stops after building and prints what it archived.")
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--seed", default=2024, show_default=True, type=int)
@click.option("--sim-port", default=8800, show_default=True, type=int, help="Port of the portal simulator.")
def demo(data_dir, serve, port, seed, sim_port):
    """Simulator → crawl → archive → Datasette at http://127.0.0.1:8001."""
    from crawler.demo import run_demo

    sys.exit(run_demo(data_dir, serve=serve, port=port, seed=seed, sim_port=sim_port))


if __name__ == "__main__":
    main()
