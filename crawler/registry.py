"""The portal registry (`crawler/portals.yml`): each portal in a few lines — name, 行政区划代码,
level, parent, platform, start URLs (its home page or its 年报 columns), first year — and
whether anyone has checked it against the live site (`verified`)."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import yaml

DEFAULT = Path(__file__).with_name("portals.yml")
LEVELS = ("province", "city", "county", "town", "department")
PLATFORMS = ("hanweb", "trs", "lonsun", "gkmlpt", "kaipu", "longtail", None)


class RegistryError(ValueError):
    pass


def validate(entry: dict, where: str = "") -> dict:
    e = dict(entry)
    name = e.get("name")
    if not name:
        raise RegistryError(f"{where}: an entry without a name")
    urls = e.get("start_urls")
    if isinstance(urls, str):
        urls = [urls]
    if not urls or not all(urlparse(u).scheme in ("http", "https") and urlparse(u).netloc for u in urls):
        raise RegistryError(f"{where}{name}: start_urls must be one or more http(s) URLs")
    e["start_urls"] = list(urls)
    hosts = e.get("hosts") or []  # more hosts of the portal (a file host): crawler/offsite.py
    if isinstance(hosts, str) or not all(isinstance(h, str) and h for h in hosts):
        raise RegistryError(f"{where}{name}: hosts must be a list of URLs or host[:port] names")
    if e.get("level") not in LEVELS:
        raise RegistryError(f"{where}{name}: level must be one of {', '.join(LEVELS)}, not {e.get('level')!r}")
    if e.get("platform") not in PLATFORMS:
        raise RegistryError(f"{where}{name}: unknown platform {e.get('platform')!r}")
    code = e.get("code")
    if code is not None:
        code = str(code)
        if not code.isdigit() or len(code) not in (6, 9, 12):
            raise RegistryError(f"{where}{name}: code must be a 行政区划代码 of 6, 9 or 12 digits, not {code!r}")
        e["code"] = code
    e.setdefault("parent", None)
    e.setdefault("first_year", None)
    e.setdefault("verified", False)
    return e


def load(path: str | Path | None = None) -> list[dict]:
    path = Path(path or DEFAULT)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = data.get("portals", data) if isinstance(data, dict) else data
    out = [validate(e, f"{path}: ") for e in entries]
    names = [e["name"] for e in out]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise RegistryError(f"{path}: names used twice: {', '.join(sorted(dupes))}")
    known = set(names)
    for e in out:
        # A county may name its city's government without the registry crawling the city's portal;
        # any other parent must be an entry, so that a typo in a name is caught here.
        above = re.search(r"(省|市|自治区|自治州|盟|地区)(人民政府)?$", e["parent"] or "")
        if e["parent"] and e["parent"] not in known and not above:
            raise RegistryError(f"{path}: {e['name']}: parent {e['parent']} is not in the registry")
    return out


def select(entries: list[dict], names: list[str]) -> list[dict]:
    """The entries named (or whose name contains one of the names); an unknown name is an error."""
    if not names:
        return entries
    out = []
    for n in names:
        hit = [e for e in entries if e["name"] == n] or [e for e in entries if n in e["name"]]
        if not hit:
            raise RegistryError(f"no portal named {n!r} in the registry")
        out += [e for e in hit if e not in out]
    return out


def dump(entries: list[dict], path: str | Path) -> None:
    Path(path).write_text(yaml.safe_dump({"portals": entries}, allow_unicode=True, sort_keys=False), encoding="utf-8")


def bare_entry(urls: list[str]) -> dict:
    """A portal known only by URLs (of one host): named by its host, platform to be discovered."""
    return {"name": urlparse(urls[0]).netloc, "code": None, "level": None, "parent": None, "platform": None,
            "start_urls": list(urls), "first_year": None, "verified": False, "bare": True}
