"""Parsing speed on the report corpus, one core: reports per second for HTML, text and PDF
inputs, beside a baseline that only reads and decodes the same files (so the parser's own cost
shows), and PDF pages per second.

    python bench/parse.py [--corpus ../shared/corpus/reports] [--seconds 2] [--cpu] [--min-of N]

On a machine busy with other jobs, `--cpu --min-of 20` times each file 20 times and counts its
fastest parse (CPU seconds), what the parser costs when no other job interrupts it; the
previous parser is measured the same way with PYTHONPATH pointing at its checkout.

Prints figures only; the tests make no timing assertions.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import pypdfium2 as pdfium

from archive.parse import decode_html, decode_text, parse_bytes, sniff

# ../shared/corpus beside the checkout, or beside a parent (a git worktree under work/wt/NAME).
DEFAULT = next((p / "shared" / "corpus" / "reports" for p in Path(__file__).resolve().parents[1:]
                if (p / "shared" / "corpus" / "reports").is_dir()),
               Path(__file__).resolve().parents[2] / "shared" / "corpus" / "reports")


def decode_only(data: bytes, source: str) -> int:
    """The baseline: what any reader must do before parsing: decode the bytes to text."""
    kind = sniff(data)
    if kind == "pdf":
        doc = pdfium.PdfDocument(data)
        n = sum(len(doc[i].get_textpage().get_text_range()) for i in range(len(doc)))
        doc.close()
        return n
    return len(decode_html(data) if kind == "html" else decode_text(data, source))


CLOCK = time.perf_counter


def rate(fn, blobs, seconds: float) -> tuple[float, int]:
    """Documents per second of ``fn`` over ``blobs``, repeated for at least ``seconds``."""
    done, start = 0, CLOCK()
    while True:
        for name, data in blobs:
            fn(data, name)
        done += len(blobs)
        elapsed = CLOCK() - start
        if elapsed >= seconds:
            return done / elapsed, done


def best_rate(fn, blobs, rounds: int) -> tuple[float, int]:
    """Documents per second from each document's fastest of ``rounds`` runs of ``fn``."""
    best = [float("inf")] * len(blobs)
    for _ in range(rounds):
        for i, (name, data) in enumerate(blobs):
            start = CLOCK()
            fn(data, name)
            best[i] = min(best[i], CLOCK() - start)
    return len(blobs) / max(sum(best), 1e-9), rounds * len(blobs)


def pdf_pages(blobs) -> int:
    return sum(len(pdfium.PdfDocument(data)) for _, data in blobs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--cpu", action="store_true",
                    help="count this process's CPU seconds, not wall seconds (a machine shared with other jobs)")
    ap.add_argument("--min-of", type=int, default=0, metavar="N",
                    help="each file's fastest of N runs instead of a timed loop (a busy machine)")
    args = ap.parse_args()
    if args.cpu:
        global CLOCK
        CLOCK = time.process_time
    files = sorted(p for p in args.corpus.iterdir() if p.is_file())
    groups: dict[str, list] = {"html": [], "text": [], "pdf": []}
    for p in files:
        data = p.read_bytes()
        groups.setdefault(sniff(data), []).append((p.name, data))
    print(f"{'input':6} {'files':>5} {'decode only /s':>15} {'parse /s':>10} {'parse pages/s':>14}")
    for kind in ("html", "text", "pdf"):
        blobs = groups.get(kind) or []
        if not blobs:
            continue
        parse_bytes(*blobs[0][::-1])  # warm caches (opencc, regexes) outside the timing
        if args.min_of:
            base, _ = best_rate(decode_only, blobs, args.min_of)
            parsed, _ = best_rate(parse_bytes, blobs, args.min_of)
        else:
            base, _ = rate(decode_only, blobs, args.seconds)
            parsed, _ = rate(parse_bytes, blobs, args.seconds)
        pages = f"{parsed * pdf_pages(blobs) / len(blobs):14.1f}" if kind == "pdf" else f"{'':14}"
        print(f"{kind:6} {len(blobs):5} {base:15.1f} {parsed:10.1f} {pages}")


if __name__ == "__main__":
    main()
