"""Chinese full-text search on SQLite FTS5: a bigram index that finds words of any length.

SQLite's unicode61 tokenizer keeps a run of Chinese characters as one token, and the trigram
tokenizer cannot match queries shorter than three characters. So the text is indexed as the
overlapping character pairs of each Chinese run (复议诉讼 → 复议 议诉 诉讼), other text as words;
a query becomes the phrase of its own pairs, which matches exactly where the text contains the
query as a substring (within a run of Chinese characters), for queries of two characters or more.
"""
from __future__ import annotations

import re
from html import escape

from markupsafe import Markup

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3007"
_RUN = re.compile(f"([{_CJK}]+)|([^\\s{_CJK}\\W]+)|(\\S)")
_WORD = re.compile(r"\w+")


def bigrams(text: str) -> str:
    """Index form of a text: Chinese runs as overlapping pairs, other words as they are."""
    out = []
    for cjk, word, _ in _RUN.findall(text or ""):
        if cjk:
            out.extend([cjk] if len(cjk) == 1 else (cjk[i : i + 2] for i in range(len(cjk) - 1)))
        elif word:
            out.append(word)
    return " ".join(out)


def _term_tokens(term: str) -> list[str]:
    return bigrams(term).split()


def fts_query(q: str) -> str | None:
    """FTS5 query for a user's search: every whitespace-separated term must occur (AND); a term
    is the phrase of its pairs. Returns None when nothing searchable is left."""
    phrases = []
    for term in (q or "").split():
        tokens = [t for t in _term_tokens(term) if _WORD.fullmatch(t)]
        if not tokens:
            continue
        if len(tokens) == 1 and len(tokens[0]) == 1 and re.fullmatch(f"[{_CJK}]", tokens[0]):
            phrases.append(f"{tokens[0]}*")  # one character: pairs starting with it
        else:
            phrases.append('"' + " ".join(tokens) + '"')
    return " AND ".join(phrases) or None


def snippet(text: str, q: str, width: int = 60) -> Markup:
    """The text around the first match of the query's first term, escaped, matches in <mark>."""
    text = text or ""
    terms = [t for t in (q or "").split() if t]
    pos = min((p for p in (text.find(t) for t in terms) if p >= 0), default=-1)
    if pos < 0:
        start = 0
    else:
        start = max(0, pos - width // 3)
    end = min(len(text), start + width * 2)
    piece = text[start:end]
    return Markup(("…" if start else "") + highlight(piece, terms) + ("…" if end < len(text) else ""))


def highlight(text: str, terms: list[str]) -> str:
    """Escaped text with every occurrence of the terms wrapped in <mark>."""
    if not terms:
        return escape(text)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[last : m.start()]))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        last = m.end()
    out.append(escape(text[last:]))
    return "".join(out)
