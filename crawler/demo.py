"""`xxgk demo`: simulator → crawl → archive → Datasette, on this machine only."""
from __future__ import annotations

from pathlib import Path

import click

from archive.store import Archive


def summary(data_dir: Path) -> str:
    archive = Archive(data_dir)
    try:
        return _summary(archive.db)
    finally:
        archive.close()


def _summary(db) -> str:
    lines = ["archived reports by organ and year:"]
    years = [r[0] for r in db.execute("select distinct year from reports order by year")]
    lines.append("  " + "".join(f"{y:>6}" for y in years) + "  organ")
    for (organ,) in db.execute("select distinct organ from reports order by organ"):
        counts = dict(db.execute("select year, count(*) from reports where organ = ? group by year", [organ]).fetchall())
        lines.append("  " + "".join(f"{counts.get(y, 0):>6}" for y in years) + f"  {organ}")
    n_reports = db["reports"].count
    n_cells = db["cells"].count
    failed = db.execute("select count(*) from reports where check_status = 'failed'").fetchone()[0]
    lines.append(f"total: {n_reports} reports, {n_cells} cells, {failed} with failed checks")
    return "\n".join(lines)


def run_demo(data_dir: Path, serve: bool = True, port: int = 8001, seed: int = 2024, sim_port: int = 8800) -> int:
    from crawler.run import run_crawl
    from crawler.simulator.server import Simulator

    from archive.publish import serve as serve_archive

    try:
        sim = Simulator(seed=seed, port=sim_port).start()
    except OSError as e:
        # Another program holds the port: any free one will do, the crawl is told where.
        click.echo(f"port {sim_port} is taken ({e.strerror}); the simulator takes a free port instead")
        sim = Simulator(seed=seed, port=0).start()
    click.echo(f"portal simulator: {len(sim.portals)} portals, the first at {sim.url}")
    try:
        # The whole simulator, through its registry: every platform and every obstacle.
        stats = run_crawl([], data_dir, polite=False, quiet=True, portals=sim.registry())
        click.echo(stats.summary())
        click.echo("per portal:\n" + stats.portal_lines())
        click.echo(summary(data_dir))
        if not serve:
            return 0 if stats.ok else 1
        # The simulator stays up while serving, so the archive's source links open.
        click.echo(f"serving the archive at http://127.0.0.1:{port}/ (Ctrl-C to stop)")
        # On this machine only (127.0.0.1): custom SQL open for exploring, as with `serve --allow-sql`.
        return serve_archive(data_dir, port=port, allow_sql=True)
    finally:
        sim.stop()
