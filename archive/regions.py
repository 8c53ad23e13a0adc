"""Where an organ sits: province, city and county, from its 行政区划代码 or, failing that, its name.

行政区划代码 (GB/T 2260, extended to 12 digits for towns) nest by prefix: 2 digits for the
province, 4 for the city, 6 for the county, 9 for the town. Province names are fixed here; city
and county names come from the organs the archive knows (a county government's code names its
county), so the hierarchy fills in as portals are added to the registry.
"""
from __future__ import annotations

import re

PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省",
    "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}
MUNICIPALITIES = {"11", "12", "31", "50"}  # 直辖市: the province is the city
LEVEL_PREFIX = {"province": 2, "city": 4, "county": 6, "town": 9}
_SHORT = {name: re.sub(r"(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)$", "", name) for name in PROVINCES.values()}


def digits(code: str | None) -> str:
    return re.sub(r"\D.*$", "", str(code or ""))


def region_name(name: str) -> str:
    """The place a government is named after: 云溪县人民政府 → 云溪县."""
    return re.sub(r"(人民政府|政府)(办公室|办公厅)?$", "", name or "")


def place_from_code(code: str | None, known: dict[str, str]) -> dict[str, str | None]:
    """Province, city and county names for a code, from the fixed provinces and ``known``
    (code prefix → name, e.g. {"3501": "福州市", "350128": "平潭县"})."""
    c = digits(code)
    out = {"province": None, "city": None, "county": None}
    if len(c) < 2:
        return out
    out["province"] = PROVINCES.get(c[:2]) or known.get(c[:2])
    if c[:2] in MUNICIPALITIES:
        out["city"] = out["province"]
    elif len(c) >= 4 and c[2:4] != "00":
        out["city"] = known.get(c[:4])
    if len(c) >= 6 and c[4:6] != "00":
        out["county"] = known.get(c[:6])
    return out


_CITY = re.compile(r"^([^省市县区]{2,6}?(?:市|自治州|州|盟|地区))")
_COUNTY = re.compile(r"^([^省市县区]{1,8}?(?:县|区|旗|市))")


def place_from_name(name: str) -> dict[str, str | None]:
    """A best reading of province/city/county from a name such as 江苏省淮安市洪泽区人民政府.
    Only what the name states is returned; the rest stays None."""
    out: dict[str, str | None] = {"province": None, "city": None, "county": None}
    n = name or ""
    for full, short in _SHORT.items():
        if n.startswith(full) or (len(short) >= 2 and n.startswith(short) and full.endswith("省")
                                  and not n.startswith(short + "市")):
            out["province"] = full
            n = n[len(full):] if n.startswith(full) else n[len(short):]
            if full.endswith("市"):  # 直辖市: the province is the city
                out["city"] = full
            break
    if out["city"] is None:
        m = _CITY.match(n)
        if m:
            out["city"] = m.group(1)
            n = n[m.end():]
    m = _COUNTY.match(n)
    if m and not (m.group(1).endswith("市") and out["city"] is None):
        out["county"] = m.group(1)
    return out
