"""The portal registry (`crawler/portals.yml`): each portal in a few lines — name, 行政区划代码,
level, parent, platform, start URLs (its home page or its 年报 columns), first year — and
whether anyone has checked it against the live site (`verified`). Entries seeded from public
material also keep their province, the URLs seen there (`seen`), the family guessed for them
(`platform_guess`) and where they were seen (`source`).

`column_of` turns the URL of a 年报 article into the URL of the column that lists it, from the
URL shapes of the families (portal-styles.md, portal-evidence.md); `check_codes` compares the
entries' 行政区划代码 with the project's region table (archive/regions.py) and with each other."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import yaml

DEFAULT = Path(__file__).with_name("portals.yml")
LEVELS = ("province", "city", "county", "town", "department")
PLATFORMS = ("hanweb", "trs", "lonsun", "gkmlpt", "kaipu", "longtail", None)
# The families of the seeds (registry-seeds.tsv platform_guess) that a platform spider reads; the
# rest go to the generic list reader.
GUESSES = (("gkmlpt", "gkmlpt"), ("lonsun", "lonsun"), ("hanweb", "hanweb"), ("kaipu", "kaipu"), ("trs", "trs"))


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


def province_of(e: dict) -> str:
    """The province an entry belongs to: as seeded, else from its code, else from its name."""
    from archive.regions import _SHORT, PROVINCES, place_from_name

    seeded = e.get("province")
    if seeded:
        return {short: name for name, short in _SHORT.items()}.get(seeded, seeded)
    code = str(e.get("code") or "")
    return PROVINCES.get(code[:2]) or place_from_name(e["name"])["province"] or "未知"


def province_order(province: str) -> str:
    """Provinces in the order of their codes (北京 11 … 新疆 65)."""
    from archive.regions import PROVINCES

    return next((code for code, name in PROVINCES.items() if name == province), "99")


# Article URL shapes → the column listing them (first match wins).
_COLUMN_RULES = [
    # TRS static: ./YYYYMM/tYYYYMMDD_N.html (and _wap/_app twins, .htm, .shtml)
    (re.compile(r"^(.*/)\d{6}/t\d{8}_\d+(?:_wap|_app)?\.s?html?$"), lambda m: m.group(1)),
    # Hanweb jcms: /art/Y/M/D/art_<col>_<id>.html
    (re.compile(r"^(.*?)/art/\d{4}/\d{1,2}/\d{1,2}/art_(\d+)_\d+\.html$"), lambda m: f"{m.group(1)}/col/col{m.group(2)}/index.html"),
    # Hanweb JPaaS: /col/col<id>/art/YYYY/art_<uuid>.html
    (re.compile(r"^(.*/col/col\d+/)art/\d{4}/art_[\w-]+\.html$"), lambda m: m.group(1) + "index.html"),
    # gkmlpt: /gkmlpt/content/a/b/post_<id>.html
    (re.compile(r"^(.*/gkmlpt/)content/\d+/\d+/post_\d+\.html$"), lambda m: m.group(1) + "annualreport"),
    # LonSun: /public/<organId>/<id>.html
    (re.compile(r"^(.*?/public/)(\d+)/\d+\.html$"), lambda m: f"{m.group(1)}column/{m.group(2)}?type=3&action=list"),
    # Kaipu: /<col>/YYYY-MM/DD/content_<hex>.shtml
    (re.compile(r"^(.*/)\d{4}-\d{2}/\d{2}/content_[0-9a-f]+\.shtml$"), lambda m: m.group(1) + "index.shtml"),
    # hexmon and Heilongjiang: /<site>/c<col>/YYYYMM/<32hex>.shtml, …/c0N_<id>.shtml
    (re.compile(r"^(.*/)\d{6}/(?:[0-9a-f]{32}|c\d{2}_\d+)(?:_app)?\.s?html?$"), lambda m: m.group(1)),
    # Hebei: /columns/<uuid>/YYYYMM/DD/<uuid>.html
    (re.compile(r"^(.*/columns/[0-9a-f-]{36}/)\d{6}/\d{2}/[0-9a-f-]{36}\.s?html?$"), lambda m: m.group(1) + "index.html"),
    # Shandong: /gongkai/site_<s>/channel_<c>/doc_<24hex>.html
    (re.compile(r"^(.*/channel_\w+/)doc_[0-9a-f]{24}\.html$"), lambda m: m.group(1)),
    # LonSun annual-report module: /…AnnualReport/show/<id>.html
    (re.compile(r"^(.*/(?:Xxgk|Openness)AnnualReport/)show/\d+\.html$", re.I), lambda m: m.group(1)),
    # Shaanxi snowflake ids: /…/<19 digits>.html
    (re.compile(r"^(.*/)\d{18,20}\.html$"), lambda m: m.group(1) + "1.html"),
    # Anhui openness CMS: /openness/detail/content/<24hex>.html — the unit is not in the URL
    (re.compile(r"^(.*?)/openness/detail/content/[0-9a-f]{24}\.html$"), lambda m: m.group(1) + "/"),
]


def column_of(url: str) -> str | None:
    """The 年报 column listing the article at `url`, from the URL's shape; None when the URL has
    no known article shape (it may be a column or a home page already)."""
    parts = urlparse(url)
    bare = f"{parts.scheme}://{parts.netloc}{parts.path}"
    for rx, make in _COLUMN_RULES:
        if m := rx.match(bare):
            return make(m)
    return None


def check_codes(entries: list[dict]) -> list[str]:
    """Mismatches between the entries' 行政区划代码 and the project's region table: a code whose
    province prefix is no province or not the province the entry is seeded under or named after,
    a code of the wrong shape for the level (a province ends 0000, a city 00, a county not 00),
    and one city or county name under two codes or one county code under two names. One line each."""
    from archive.regions import MUNICIPALITIES, PROVINCES, _SHORT, place_from_name

    out = []
    by_county: dict[str, set[str]] = {}
    by_city: dict[str, set[str]] = {}
    by_code: dict[str, set[str]] = {}
    short = {v: k for k, v in _SHORT.items()}
    for e in entries:
        code, name, level = str(e.get("code") or ""), e["name"], e.get("level")
        if not code:
            continue
        where = f"{name} ({code})"
        prov = PROVINCES.get(code[:2])
        if prov is None:
            out.append(f"{where}: {code[:2]} is no province in archive/regions.py")
            continue
        seeded = e.get("province")
        if seeded and short.get(seeded, seeded) != prov and seeded != prov:
            out.append(f"{where}: code of {prov}, seeded under {seeded}")
        named = place_from_name(name)
        if named["province"] and named["province"] != prov:
            out.append(f"{where}: code of {prov}, name of {named['province']}")
        if level == "province" and code[2:6] != "0000":
            out.append(f"{where}: a province's code ends 0000")
        elif level == "city" and (code[4:6] != "00" or code[2:4] == "00") and code[:2] not in MUNICIPALITIES:
            out.append(f"{where}: a city's code ends 00 (and is not a province's)")
        elif level in ("county", "town") and code[4:6] == "00":
            out.append(f"{where}: a {level}'s code names a county (its last two digits are not 00)")
        city = named["city"]
        if city and code[:2] not in MUNICIPALITIES and code[2:4] != "00":
            by_city.setdefault(city, set()).add(code[:4])
        county = named["county"]
        if county and level in ("county", "town") and code[4:6] != "00":
            by_county.setdefault(county, set()).add(code[:6])
            by_code.setdefault(code[:6], set()).add(county)
    for city, codes in sorted(by_city.items()):
        if len(codes) > 1:
            out.append(f"{city}: under {len(codes)} city codes, {', '.join(sorted(codes))}")
    for county, codes in sorted(by_county.items()):
        if len(codes) > 1:
            out.append(f"{county}: under {len(codes)} codes, {', '.join(sorted(codes))}")
    for code, names in sorted(by_code.items()):
        if len(names) > 1:
            out.append(f"{code}: the code of {len(names)} counties, {', '.join(sorted(names))}")
    return out
