"""The registry of simulated portal families: which module serves a portal of each style, and which
modules build portals of their own. A new family is a module (build, col_path, item_path, route)
and one line here."""
from __future__ import annotations

from . import gkmlpt, hanweb, hanwebnb, hebei, hexmon, hunan, kaipu, longtail, lonsun, lonsunnb, nbtree, openness
from . import pagers, shaanxi, trs, trsdyn, ucap, vsb

# style → the module that renders it
STYLES = {"trs": trs, "hanweb": hanweb, "jpaas": hanweb, "lonsun": lonsun, "gkmlpt": gkmlpt, "kaipu": kaipu,
          "aspx": longtail, "pdfsum": longtail,
          "trsdyn": trsdyn, "hexmon": hexmon, "nbtree": nbtree, "vsb": vsb, "shaanxi": shaanxi, "hanwebnb": hanwebnb,
          "lonsunnb": lonsunnb, "lonsunyear": lonsunnb, "openness": openness, "pagers": pagers, "hunan": hunan,
          "ucap": ucap, "hebei": hebei}

# The families of portal-evidence.md, each building its own portals (not in the default universe,
# whose 352 reports the demo and the platform tests count).
FAMILIES = (trsdyn, hexmon, nbtree, hunan, vsb, shaanxi, hanwebnb, lonsunnb, hebei, ucap, openness, pagers)


def build_families(seed: int = 2024, only: list[str] | None = None) -> list:
    portals = []
    for module in FAMILIES:
        if only and module.STYLE not in only:
            continue
        portals += module.build(seed)
    return portals
