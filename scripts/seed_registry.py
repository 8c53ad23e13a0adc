"""Seed crawler/portals.yml from ../shared/reference/registry-seeds.tsv: one unverified entry per
organ named there, its 年报 columns as start URLs (a column row as seen; an article row as the
column its URL shape names, `crawler.registry.column_of`, else the site's home page), the URLs
seen and where they were seen. Entries already in the registry are left as they are.

    python scripts/seed_registry.py [TSV] [REGISTRY]
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path
from urllib.parse import urlparse

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.registry import DEFAULT, GUESSES, column_of, load, validate  # noqa: E402

TSV = ROOT.parent / "shared" / "reference" / "registry-seeds.tsv"


def platform(guess: str) -> str:
    g = guess.lower()
    return next((p for key, p in GUESSES if key in g), "longtail")


def entries(tsv: Path) -> list[dict]:
    out: dict[str, dict] = {}
    with tsv.open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            url = row["url"].strip()
            if not url.startswith(("http://", "https://")):
                url = "http://" + url
            kind = row["url_kind"].strip()
            start = url if kind.startswith("column") else (column_of(url) or f"{urlparse(url).scheme}://{urlparse(url).netloc}/")
            e = out.setdefault(row["name"].strip(), {
                "name": row["name"].strip(), "code": row["adcode"].strip() or None, "level": row["level"].strip(),
                "province": row["province"].strip(), "parent": None, "platform": platform(row["platform_guess"]),
                "platform_guess": row["platform_guess"].strip(), "start_urls": [], "first_year": None,
                "verified": False, "seen": [], "source": []})
            if start not in e["start_urls"]:
                e["start_urls"].append(start)
            e["seen"].append(f"{kind}: {url}")
            if row["source"].strip() not in e["source"]:
                e["source"].append(row["source"].strip())
    return [validate(e) for e in out.values()]


def main(tsv: Path = TSV, registry: Path = DEFAULT) -> None:
    old = load(registry)
    known = {e["name"] for e in old}
    new = [e for e in entries(tsv) if e["name"] not in known]
    text = registry.read_text(encoding="utf-8").rstrip() + "\n"
    text += ("  # Seeded from ../shared/reference/registry-seeds.tsv (scripts/seed_registry.py): real 年报 columns and\n"
             "  # articles seen in public material, none fetched from here. UNVERIFIED, like the entries above.\n")
    body = yaml.safe_dump(new, allow_unicode=True, sort_keys=False, width=200)
    text += "".join(f"  {line}\n" if line else "\n" for line in body.splitlines())
    registry.write_text(text, encoding="utf-8")
    load(registry)  # the result must load
    print(f"{len(new)} entries added to {registry} ({len(old)} before)")


if __name__ == "__main__":
    main(*(Path(a) for a in sys.argv[1:3]))
