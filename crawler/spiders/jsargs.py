"""Reading the arguments a page's script passes (`{channelid: SiteInfo.searchId, classsql: "" ||
"chnlid=1813"}`) as the page prints them, for the family modules that call a site's own API."""
from __future__ import annotations

import re

ARG = re.compile(r"(\w+)\s*:\s*((?:[^,\"'{}]|\"[^\"]*\"|'[^']*')+)")
_LITERAL = re.compile(r"\"([^\"]*)\"|'([^']*)'")


def value(expr: str, names: dict[str, str] | None = None) -> str | None:
    """A JavaScript expression's value where it is a literal, `a || b` (the first non-empty
    literal, as `||` gives), a number, a boolean or `Obj.name` found in `names`; else None."""
    expr = expr.strip()
    literals = [a or b for a, b in _LITERAL.findall(expr)]
    if literals:
        return next((x for x in literals if x), "")
    if m := re.fullmatch(r"\w+\.(\w+)", expr):
        return (names or {}).get(m.group(1))
    if re.fullmatch(r"-?\d+", expr) or expr in ("true", "false"):
        return expr
    return None


def object_args(body: str, names: dict[str, str] | None = None) -> dict[str, str]:
    """The keys of a JavaScript object literal's body whose values can be read."""
    return {k: v for k, e in ARG.findall(body) if (v := value(e, names)) is not None}
