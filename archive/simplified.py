"""Traditional to simplified characters (OpenCC t2s), skipped for a text it cannot change.

The conversion costs about 30 ns a character, several times a report; reports are written in
simplified characters and almost never hold one that t2s changes. `t2s_changes.txt` lists every
character some dictionary key changes (scripts/t2s_changes.py dumps the installed dictionaries):
a text with none of them holds no key that changes anything, and is returned as it is. The list
records the SHA-256 of the dictionaries it was made from; with other dictionaries installed,
every text is converted.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import opencc

_t2s = opencc.OpenCC("t2s")
OUT = Path(__file__).with_name("t2s_changes.txt")


def dictionaries() -> list[Path]:
    """The dictionary files the t2s configuration reads, in its order."""
    config = Path(_t2s.config)
    found: list[Path] = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("file"), str):
                found.append(config.parent / node["file"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(json.loads(config.read_text(encoding="utf-8")))
    return found


def fingerprint() -> str:
    h = hashlib.sha256(Path(_t2s.config).read_bytes())
    for path in dictionaries():
        h.update(path.read_bytes())
    return h.hexdigest()


def _changes() -> re.Pattern | None:
    try:
        head, chars = OUT.read_text(encoding="utf-8").split("\n")[:2]
        if head != f"# sha256 {fingerprint()}" or not chars:
            return None
    except (OSError, ValueError):
        return None
    # Only the BMP's characters are listed: a class that holds astral ones is checked range by
    # range, a hundred times slower; a text with any astral character is converted.
    bmp = sorted(c for c in chars if ord(c) < 0x10000)
    return re.compile("[" + "".join(_ranges(bmp)) + "\U00010000-\U0010ffff]")


def _ranges(chars: list[str]):
    """A character class's body, consecutive characters as ranges (a much faster compile)."""
    i = 0
    while i < len(chars):
        j = i
        while j + 1 < len(chars) and ord(chars[j + 1]) == ord(chars[j]) + 1:
            j += 1
        yield re.escape(chars[i]) if i == j else f"{re.escape(chars[i])}-{re.escape(chars[j])}"
        i = j + 1


_CHANGES = _changes()


def to_simplified(text: str) -> str:
    """_t2s.convert(text), exactly."""
    if _CHANGES is not None and not _CHANGES.search(text):
        return text
    return _t2s.convert(text)
