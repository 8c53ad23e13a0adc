"""Recovering cell boundaries where a text dump ran the cells of a row together.

A crawler dump prints `申请数量21710000218` for the cells 217|1|0|0|0|0|218. Any split of the
digits into the right number of well-formed numbers is a *candidate*; the accounting identities
of the table (report-format.md A1–A4) keep the candidates that a consistent table allows. When
more than one candidate survives, the cells on which they disagree are unknown: nothing here
ever picks one candidate over another by plausibility.

A *segment* is a run of number characters with no separator inside; a separator (space, tab,
line break, unit, a minus sign) is always a cell boundary, so a row is a list of segments that
together hold the row's cells.
"""
from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from itertools import product

# One printed number: no leading zeros ("05" is two cells, 0|5), a minus only in front, decimals.
_CELL = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?")
MAX_CANDIDATES = 20000  # a longer run than any real row: give up rather than enumerate forever
DASH = "—"  # a printed dash or slash: a blank cell, never glued to a number


def is_cell(text: str) -> bool:
    return text == DASH or _CELL.fullmatch(text) is not None


class TooMany(Exception):
    """More candidate splits than MAX_CANDIDATES: the row is left unknown, not half-enumerated."""


def row_splits(segments: list[str], n: int, prune=None) -> list[tuple[str, ...]]:
    """Every way to read ``segments`` as ``n`` cells, each segment holding at least one cell.

    ``prune(cells)`` is asked after each cell whether the cells so far can still be part of a
    consistent row (an identity over a finished group); it keeps long runs such as the fifteen
    cells of 表四 tractable. Raises TooMany rather than return a partial list: agreeing cells
    of a partial list would be a guess."""
    segments = [s for s in segments if s]
    if not segments or n < len(segments):
        return []
    out: list[tuple[str, ...]] = []
    cells: list[str] = []

    def rec(seg: int, pos: int) -> None:
        if seg == len(segments):
            if len(cells) == n:
                out.append(tuple(cells))
                if len(out) > MAX_CANDIDATES:
                    raise TooMany
            return
        text = segments[seg]
        room = n - len(cells) - (len(segments) - seg - 1)  # cells this segment may still take
        if room <= 0:
            return
        if text == DASH:
            candidates = [(DASH, len(text))]
        else:
            ends = range(pos + 1, len(text) + 1) if room > 1 else (len(text),)
            candidates = [(text[pos:e], e) for e in ends if _CELL.fullmatch(text[pos:e])]
        for cell, e in candidates:
            cells.append(cell)
            if prune is None or prune(cells):
                if e == len(text):
                    rec(seg + 1, 0)
                elif len(cells) < n:
                    rec(seg, e)
            cells.pop()

    rec(0, 0)
    return out


def number(cell: str) -> Decimal | None:
    return None if cell == DASH else Decimal(cell)


def numbers(cand: tuple[str, ...]) -> tuple[Decimal | None, ...]:
    return tuple(number(c) for c in cand)


def sums_to(parts, total) -> bool:
    """An identity total = sum(parts); a dash anywhere makes it say nothing (True)."""
    if total is None or any(p is None for p in parts):
        return True
    return sum(parts, Decimal(0)) == total


def agreed(cands: list[tuple[str, ...]], width: int) -> list[str | None]:
    """Per position: the cell every candidate agrees on, else None (unknown)."""
    if not cands:
        return [None] * width
    return [c[0] if len(set(c)) == 1 else None for c in zip(*cands)]


# 表三 ------------------------------------------------------------------------------------------
def applicant_splits(segments: list[str]) -> list[tuple[str, ...]]:
    """The splits of a 表三 row that satisfy A2 (总计 = the six applicant columns).

    The 总计 cell is the tail of the last segment; each choice of it bounds the six cells before
    it (counts are never negative), which prunes a twenty-digit run to a few candidates. If the
    printed row breaks A2, no split satisfies it and A2 cannot choose: all splits are returned."""
    segments = [s for s in segments if s]
    if not segments or any(not s.isdigit() for s in segments):
        return row_splits(segments, 7)  # dashes, signs or decimals: no bound to prune with
    last, out = segments[-1], []
    for k in range(len(last)):
        total = last[k:]
        if _CELL.fullmatch(total):
            head = tuple(segments[:-1] + ([last[:k]] if k else []))
            out.extend(c + (total,) for c in _summing_to(head, 0, 0, 6, int(total)))
            if len(out) > MAX_CANDIDATES:
                raise TooMany
    return out or row_splits(segments, 7)


@lru_cache(maxsize=65536)
def _summing_to(segs: tuple[str, ...], seg: int, pos: int, n: int, total: int) -> tuple[tuple[str, ...], ...]:
    """Splits of what is left of ``segs`` (from segment ``seg``, offset ``pos``) into ``n``
    cells adding up to ``total``; each segment holds at least one cell."""
    if seg == len(segs):
        return ((),) if n == 0 and total == 0 else ()
    left = len(segs) - seg - 1  # later segments, each needs a cell
    digits = len(segs[seg]) - pos + sum(len(s) for s in segs[seg + 1 :])
    # n cells from `digits` digits add up to at most one (digits-n+1)-digit number and n-1 nines.
    if n <= left or total < 0 or n > digits or total > 10 ** (digits - n + 1) - 1 + 9 * (n - 1):
        return ()
    text, out = segs[seg], []
    # A cell of more digits than the total is larger than it (no leading zeros), and a cell
    # starting with 0 is 0: only those lengths are tried.
    last = pos + 1 if text[pos] == "0" else min(len(text), pos + len(str(total)))
    for e in range(pos + 1, last + 1):
        cell = text[pos:e]
        if not _CELL.fullmatch(cell) or int(cell) > total:
            continue
        if e == len(text):
            rests = _summing_to(segs, seg + 1, 0, n - 1, total - int(cell))
        else:
            rests = _summing_to(segs, seg, e, n - 1, total - int(cell))
        out.extend((cell, *r) for r in rests)
    return tuple(out)


def _vec_add(a, b):
    return tuple(None if x is None or y is None else x + y for x, y in zip(a, b))


def _reachable(rows: list[list[tuple]], width: int) -> list[set]:
    """Forward sums: out[i] = every vector sum of one candidate from each of rows[:i]."""
    sums = [{(Decimal(0),) * width}]
    for cands in rows:
        nxt = {_vec_add(s, c) for s in sums[-1] for c in cands}
        if len(nxt) > MAX_CANDIDATES:
            raise OverflowError("too many partial sums")
        sums.append(nxt)
    return sums


def feasible_parts(rows: list[list[tuple]], target: tuple, width: int) -> list[list[tuple]] | None:
    """A3 as a vector subset-sum: for each row, the candidates that take part in at least one
    choice (one candidate per row) whose column sums equal ``target``. A column whose sum or
    target involves a dash is not constrained. None when no choice reaches the target."""
    def matches(total):
        return all(t is None or s is None or s == t for s, t in zip(total, target))

    choices = 1
    for cands in rows:
        choices *= len(cands)
        if choices > MAX_CANDIDATES:
            break
    if choices <= MAX_CANDIDATES:
        return _feasible_by_choices(rows, matches, width)
    try:
        fwd = _reachable(rows, width)
        bwd = _reachable(rows[::-1], width)[::-1]
    except OverflowError:
        return [list(r) for r in rows]  # too wide to decide: constrain nothing
    if not any(matches(s) for s in fwd[-1]):
        return None
    out = []
    for i, cands in enumerate(rows):
        keep = [c for c in cands if any(matches(_vec_add(_vec_add(s, c), t)) for s in fwd[i] for t in bwd[i + 1])]
        out.append(keep)
    return out


def _feasible_by_choices(rows: list[list[tuple]], matches, width: int) -> list[list[tuple]] | None:
    """feasible_parts when the choices are few enough to try each: the rows with one candidate
    add up once, and only the choices among the others are summed (what the forward and
    backward sums give, without a set of partial sums per row)."""
    fixed = (Decimal(0),) * width
    several = []
    for i, cands in enumerate(rows):
        if len(cands) == 1:
            fixed = _vec_add(fixed, cands[0])
        else:
            several.append(i)
    taken: dict[int, set] = {i: set() for i in several}
    found = False
    for choice in product(*(range(len(rows[i])) for i in several)):
        total = fixed
        for i, j in zip(several, choice):
            total = _vec_add(total, rows[i][j])
        if matches(total):
            found = True
            for i, j in zip(several, choice):
                taken[i].add(j)
    if not found:
        return None
    return [list(cands) if len(cands) == 1 else [c for j, c in enumerate(cands) if j in taken[i]]
            for i, cands in enumerate(rows)]


def resolve_applications(cands: dict[str, list[tuple[str, ...]]], result_rows: tuple[str, ...]) -> dict[str, list]:
    """Keep, per 表三 row, the candidates consistent with A1 and A3 over the whole table.

    The source may itself break A1 or A3 (pingtan_zone_2020 breaks A3): then no choice satisfies
    both, and only the identity that some choice satisfies is used; if neither, the rows keep
    every candidate their own A2 allows."""
    if not cands or not all(cands.values()) or all(len(c) == 1 for c in cands.values()):
        return cands
    for use_a1, use_a3 in ((True, True), (True, False), (False, True)):
        kept = _solve(cands, result_rows, use_a1, use_a3)
        if kept is not None:
            return {k: [c for c in cands[k] if c in kept[k]] for k in cands}
    return cands


def _solve(cands, result_rows, use_a1: bool, use_a3: bool) -> dict[str, set] | None:
    width = len(next(iter(cands.values()))[0])
    results = [k for k in result_rows if k in cands]
    anchors = [k for k in ("new_received", "carried_over", "total_processed", "carried_forward") if k in cands]
    anchor_choices = list(product(*(cands[k] for k in anchors)))
    if len(anchor_choices) > 2000:
        return None
    parts = [[numbers(c) for c in cands[k]] for k in results]
    kept: dict[str, set] = {k: set() for k in cands}
    found = False
    for choice in anchor_choices:
        a = dict(zip(anchors, (numbers(c) for c in choice)))
        if use_a1 and not _a1_holds(a, width):
            continue
        target = a.get("total_processed")
        feasible = feasible_parts(parts, target, width) if use_a3 and target is not None else parts
        if feasible is None:
            continue
        found = True
        for k, c in zip(anchors, choice):
            kept[k].add(c)
        for k, keep in zip(results, feasible):
            keep = set(keep)
            kept[k].update(c for c in cands[k] if numbers(c) in keep)
    if not found:
        return None
    for k in cands:  # rows in neither group (none today) keep what A2 allowed
        if k not in anchors and k not in results:
            kept[k] = set(cands[k])
    return kept


def _a1_holds(a: dict, width: int) -> bool:
    """A1 per column: 一 + 二 = 三(七) + 四, when all four rows are present."""
    if len(a) < 4:
        return True
    for col in range(width):
        vals = [a[k][col] for k in ("new_received", "carried_over", "total_processed", "carried_forward")]
        if None in vals:
            continue
        if vals[0] + vals[1] != vals[2] + vals[3]:
            return False
    return True


# 表四 ------------------------------------------------------------------------------------------
def review_prune(cells: list[str]) -> bool:
    """A4 as the cells of 表四 are read: a finished group of five must add up."""
    if len(cells) % 5:
        return True
    v = numbers(tuple(cells[-5:]))
    return sums_to(v[:4], v[4])


def review_splits(segments: list[str]) -> list[tuple[str, ...]]:
    """The splits of 表四's fifteen cells in which every group's 总计 is the sum of its four
    outcomes. Once four cells are chosen the 总计 is known, so it is matched, not enumerated.
    If the printed table breaks A4 no split satisfies it, and all splits are returned."""
    segments = tuple(s for s in segments if s)
    if not segments or any(not s.isdigit() for s in segments):
        return row_splits(list(segments), 15, review_prune) or row_splits(list(segments), 15)
    out: list[tuple[str, ...]] = []

    starts: dict[tuple[int, int], list] = {}  # the search revisits each place many times
    # Digits from each place to the end: the cells after a group need a digit each, which
    # bounds how many digits a group's four cells may take.
    tail = [sum(map(len, segments[i:])) for i in range(len(segments) + 1)]

    def cells_from(seg: int, pos: int) -> list:
        """(cell, next seg, next pos) for every cell that can start at (seg, pos)."""
        if (seg, pos) not in starts:
            text = segments[seg] if seg < len(segments) else ""
            starts[seg, pos] = [(text[pos:e], (seg + 1, 0) if e == len(text) else (seg, e))
                                for e in range(pos + 1, len(text) + 1) if _CELL.fullmatch(text[pos:e])]
        return starts[seg, pos]

    def group(seg: int, pos: int, done: tuple[str, ...]) -> None:
        if len(done) == 15:
            if seg == len(segments):
                out.append(done)
                if len(out) > MAX_CANDIDATES:
                    raise TooMany
            return
        budget = tail[seg] - pos - (15 - len(done) - 4)  # digits the four may take
        for parts, (s2, p2), total in _four(seg, pos, budget):
            if s2 < len(segments) and segments[s2].startswith(total, p2):
                e = p2 + len(total)
                nxt = (s2 + 1, 0) if e == len(segments[s2]) else (s2, e)
                group(*nxt, done + parts + (total,))

    fours: dict[tuple[int, int, int], list] = {}

    def _four(seg: int, pos: int, budget: int) -> list:
        """(four cells, where the next starts) for every way four cells of at most ``budget``
        digits together start at (seg, pos), with the sum of the four; kept per place and
        budget, since groups reach the same places often."""
        if (seg, pos, budget) not in fours:
            found, stack = [], [((), (seg, pos), 0, budget)]
            while stack:
                parts, (s1, p1), total, left = stack.pop()
                if len(parts) == 4:
                    found.append((parts, (s1, p1), str(total)))
                    continue
                for cell, nxt in cells_from(s1, p1):
                    if len(cell) <= left - (3 - len(parts)):  # the cells after it need a digit each
                        stack.append((parts + (cell,), nxt, total + int(cell), left - len(cell)))
            fours[seg, pos, budget] = found
        return fours[seg, pos, budget]

    group(0, 0, ())
    return out or row_splits(list(segments), 15)
