"""Normalising printed labels and reading printed values.

Portals print the same label with full-width digits and brackets, stray spaces, `&nbsp;`,
traditional characters and line breaks inside it; values with units, thousands separators,
signs, blanks and dashes. Everything here is about reading what was printed, never inventing it.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from .nfkc import nfkc
from .simplified import to_simplified
_SPACE = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
# Entities printed literally by a page that escaped its HTML twice (`&amp;nbsp;` shows `&nbsp;`).
_LITERAL_ENTITY = re.compile(r"&(?:amp;)*(?:nbsp|ensp|emsp|thinsp|#160|#12288);?", re.I)


def unescape_spaces(text: str) -> str:
    return _LITERAL_ENTITY.sub(" ", text) if "&" in text else text


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Label text for matching: NFKC (full-width digits and brackets), simplified, no spaces."""
    text = unicodedata.normalize("NFKC", unescape_spaces(text or ""))
    text = _SPACE.sub("", text)
    return to_simplified(text)


@lru_cache(maxsize=4)
def normalise_text(text: str) -> str:
    """normalise() for a whole document or table. The cache is a few entries deep: the checks
    and the statement period read the same report text, once each, while a document read after
    others never finds its own text there (labels, which repeat from report to report, have the
    deep cache of normalise)."""
    text = nfkc(unescape_spaces(text or ""))
    # What _SPACE matches, removed at C speed: str.split() splits on what \s matches.
    text = "".join(text.split()).replace("\u200b", "").replace("\ufeff", "")
    return to_simplified(text)


def clean_text(text: str) -> str:
    """Printed text with its runs of white space folded: what a reader sees."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", unescape_spaces(text or ""))).strip()


# What a cell may carry besides its number. 元/万元 are units printed inside amount cells;
# 件/个/项/条/次/起/宗/笔/份 are counts (行政复议3起). Thousands separators occur in large numbers
# ("3,985,758").
UNITS = "万元|元|件|个|项|条|次|人次|宗|起|笔|份"  # as a regex alternation; textparse uses it too
_UNIT = re.compile(f"({UNITS})$")
_NUMBER = re.compile(r"^[+\-]?\d+(?:\.\d+)?$")
# 本年增/减 printed in words: 减12 is −12, 增5 (增加5) is 5.
_SIGN_WORD = re.compile(r"^(增加?|减少?)(?=\d)")
# A printed blank: nothing, a run of dashes of any of the widths and code points offices type
# (-, —, ――, ―, ─, －), a slash, 无 or 空.
_EMPTY_MARK = re.compile(r"[-—–―─－‐‑‒﹣]*|[/\\、]|无|空")


@dataclass(frozen=True)
class Value:
    """One printed cell: its number (None when none was printed) and the raw text as printed."""

    number: Decimal | None
    raw: str
    status: str  # "number", "blank" (nothing printed), "dash" (/ or —), "unreadable"

    def json(self):
        """The canonical-JSON form: int when whole, a string for decimals (kept exact)."""
        if self.number is None:
            return None
        return number_json(self.number)


def number_json(n: Decimal):
    if n == n.to_integral_value() and "." not in str(n):
        return int(n)
    return str(n)


@lru_cache(maxsize=65536)
def read_value(raw: str) -> Value:
    """Read one printed cell. Anything that is not plainly a number is not turned into one."""
    text = unicodedata.normalize("NFKC", unescape_spaces(raw or ""))
    compact = _SPACE.sub("", text)
    if _EMPTY_MARK.fullmatch(compact):
        status = "blank" if compact == "" else "dash"
        return Value(None, clean_text(raw), status)
    body = _UNIT.sub("", compact).replace(",", "").replace("，", "")
    body = body.replace("−", "-").replace("–", "-")
    sign = _SIGN_WORD.match(body)
    if sign:
        body = ("-" if sign.group(1).startswith("减") else "") + body[sign.end():]
    if _NUMBER.match(body):
        try:
            return Value(Decimal(body), clean_text(raw), "number")
        except InvalidOperation:  # pragma: no cover - the regex admits only valid literals
            pass
    return Value(None, clean_text(raw), "unreadable")


def looks_numeric(raw: str) -> bool:
    v = read_value(raw)
    return v.status in ("number", "dash", "blank")
