"""archive.nfkc gives exactly unicodedata.normalize("NFKC", …), faster on Chinese text."""
import random
import re
import sys
import unicodedata
import pytest

from archive.nfkc import STABLE, nfkc
from tests.conftest import CORPUS


def _stable_chars():
    return [ch for ch in map(chr, range(sys.maxunicode + 1)) if re.fullmatch(f"[{STABLE}]", ch)]


def test_every_stable_character_is_inert():
    """Its own NFKC form, combining class 0, and never the second of a canonical pair."""
    seconds = set()
    for cp in range(sys.maxunicode + 1):
        d = unicodedata.decomposition(chr(cp))
        if d and not d.startswith("<") and len(d.split()) == 2:
            seconds.add(chr(int(d.split()[1], 16)))
    stable = _stable_chars()
    assert len(stable) == 21106
    assert [c for c in stable if unicodedata.normalize("NFKC", c) != c or unicodedata.combining(c) or c in seconds] == []


def test_same_as_unicodedata_on_hard_strings():
    cases = ["", "abc", "（一）ＡＢＣ１２３，　全角", "e\u0301", "＜\u0338", "a\u0323\u0301中", "\u1100\u1161\u11a8",
             "각\u11a8", "ｶﾞ", "①②", "㈠", "\ufb01", "中\u0301文", "\u3000\u00a0x"]
    for s in cases:
        assert nfkc(s) == unicodedata.normalize("NFKC", s), s
    rng = random.Random(7)
    pool = [chr(c) for c in range(0x20, 0x2000)] + list("中文报告，（）：；　ｶﾞ①") + ["\u0301", "\u0338", "\u3099", "\u11a8"]
    for _ in range(3000):
        s = "".join(rng.choice(pool) for _ in range(rng.randint(1, 12)))
        assert nfkc(s) == unicodedata.normalize("NFKC", s), repr(s)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
def test_same_as_unicodedata_on_the_corpus():
    files = [p for p in (CORPUS / "reports").iterdir() if p.suffix in (".txt", ".html")]
    assert len(files) == 46
    for p in files:
        text = p.read_bytes().decode("utf-8", errors="replace")
        assert nfkc(text) == unicodedata.normalize("NFKC", text), p.name
