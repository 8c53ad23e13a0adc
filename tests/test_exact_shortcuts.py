"""The parser's shortcuts for speed give exactly what the plain computation gives: the
traditional-to-simplified conversion skipped for a text it cannot change (archive/simplified.py),
NFKC's full-width folding (archive/nfkc.py), the line patterns of textparse.prepare searched
from a line break."""
from __future__ import annotations

import random
import re
import subprocess
import sys
import unicodedata

import opencc
import pytest

from archive import simplified, textparse
from archive.nfkc import FOLD, nfkc
from tests.conftest import CORPUS, ROOT

T2S = opencc.OpenCC("t2s")


def test_the_list_of_changed_characters_is_the_installed_dictionaries():
    """scripts/t2s_changes.py --check dumps the installed dictionaries and compares."""
    proc = subprocess.run([sys.executable, "scripts/t2s_changes.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert simplified._CHANGES is not None  # the shortcut is in use
    chars = simplified.OUT.read_text(encoding="utf-8").split("\n")[1]
    assert len(chars) == 5130
    assert {"國", "後", "覆", "么", "藉"} <= set(chars)  # 么/藉 change only inside phrases (么麽, 憑藉)
    assert not {"国", "后", "年", "申", "请"} & set(chars)


def test_same_as_opencc():
    cases = ["", "政府信息公开", "國務院辦公廳", "憑藉", "乾燥", "乾隆", "覆盖", "反覆", "什么", "甚麼", "𠮷野家",
             "頭髮", "慰藉", "\uf900", "一二三 四\n五", "政府資訊公開"]
    for s in cases:
        assert simplified.to_simplified(s) == T2S.convert(s), s
    chars = simplified.OUT.read_text(encoding="utf-8").split("\n")[1]
    rng = random.Random(11)
    pool = list(chars[:3000:7]) + list("政府信息公开申请年度报告一二三，。") + ["𠮷", "\uf900"]
    for _ in range(3000):
        s = "".join(rng.choice(pool) for _ in range(rng.randint(1, 10)))
        assert simplified.to_simplified(s) == T2S.convert(s), s


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
def test_same_as_opencc_on_the_corpus():
    files = [p for p in (CORPUS / "reports").iterdir() if p.suffix in (".txt", ".html")]
    assert len(files) == 46
    skipped = 0
    for p in files:
        text = nfkc(p.read_bytes().decode("utf-8", errors="replace"))
        assert simplified.to_simplified(text) == T2S.convert(text), p.name
        skipped += simplified._CHANGES.search(text) is None
    assert skipped >= 36  # 覆 (反覆, 覆盖) is the one character of the corpus the list names


def test_the_fold_is_each_characters_ascii_decomposition():
    for c, d in FOLD.items():
        assert d.isascii() and d == unicodedata.normalize("NFKC", c) == unicodedata.normalize("NFKD", c), c
    rng = random.Random(5)
    pool = list(FOLD) + list("中文ａｂＡ①ｶﾞ") + ["\u0301", "\u0338", "\u3099", "e", "<", "="]
    for _ in range(3000):
        s = "".join(rng.choice(pool) for _ in range(rng.randint(1, 12)))
        assert nfkc(s) == unicodedata.normalize("NFKC", s), repr(s)


# The patterns as they were written before, anchored at every line start with (?m)^…$.
LINE_PATTERNS = [
    (textparse._FOOTER, re.compile(r"(?m)^[ \t]*(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?)[ \t]*$")),
    (textparse._MD_RULE, re.compile(r"(?m)^[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|)+[ \t]*(?::?-+:?)?[ \t]*$")),
    (textparse._MD_PLACEHOLDER, re.compile(r"(?m)^[ \t]*\|(?:[ \t]*(?:(?:列|Column|col)[ \t]*\d+)?[ \t]*\|)+[ \t]*$", re.I)),
]


def test_line_patterns_drop_the_same_lines():
    rng = random.Random(3)
    pool = ["\n", "\n", " ", "\t", "|", "-", "—", ":", "1", "23", "第", "页", "共", ",", "列", "Column", "x", "中"]
    for _ in range(20000):
        s = "".join(rng.choice(pool) for _ in range(rng.randint(0, 16)))
        for new, old in LINE_PATTERNS:
            assert new.sub("\n", "\n" + s)[1:] == old.sub("", s), (new.pattern, s)
