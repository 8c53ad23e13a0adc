"""The simulated 云溪县 portal one year on, for re-crawl tests: every organ publishes its next
year's report, one report is re-posted at the same URL with a corrected number, and one is taken
down (gone from its column, its page answering 404)."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from archive import schema

from . import world as w
from .world import SimReport

SCALE = {"county": 40, "department": 8, "town": 6}
CORRECTED = ("云溪县梅林镇", 2024)  # 行政许可 处理决定数量 restated, +7
REMOVED = ("云溪县财政局", 2019)


@dataclass
class YearChanges:
    new: list[SimReport]
    corrected: SimReport
    removed: SimReport


def next_year(portal) -> YearChanges:
    world = portal.extra["world"]
    rng = random.Random(world.seed * 31 + 1)
    new = []
    used = {r.doc_id for c in world.columns for r in c.items}
    fresh = (i for i in iter(lambda: rng.randrange(1_000_000, 10_000_000), None) if i not in used)
    for col in world.columns:
        reports = [i for i in col.items if isinstance(i, SimReport)]
        for organ in dict.fromkeys(r.organ for r in reports):
            last = max((r for r in reports if r.organ == organ), key=lambda r: r.year)
            year = last.year + 1
            carried = {c: int(last.values["applications"]["carried_forward"][c]) for c in schema.APPLICANT_PARTS}
            scale = SCALE[organ.level]
            r = SimReport(organ, year, "2021", w._title(rng, organ, year), date(year + 1, 1, rng.randint(8, 28)),
                          next(fresh),
                          {"active": w._active(rng, "2021", scale), "applications": w._applications(rng, "2021", carried, scale),
                           "reviews": w._reviews(rng, scale)})
            r.origin = r
            col.items.insert(0, r)
            world.reports.append(r)
            new.append(r)
    corrected = next(r for r in world.reports if (r.organ.name, r.year) == CORRECTED)
    corrected.values["active"]["licensing"]["decisions"] += 7
    removed = next(r for r in world.reports if (r.organ.name, r.year) == REMOVED)
    for col in world.columns:
        if removed in col.items:
            col.items.remove(removed)
    world.reports.remove(removed)
    world.__dict__.pop("_paths", None)  # the path index of the old year
    return YearChanges(new, corrected, removed)
