"""CSV cells safe to open in Excel (OWASP, "CSV Injection"): a text cell that begins with `=`,
`+`, `-`, `@`, a tab or a carriage return is read by a spreadsheet as a formula, so it is written
with a leading apostrophe. Numbers stay numbers, and so does text that is only a number
(`-3`, `+12.5`: a spreadsheet reads it as that number, never as a formula).

One rule for every CSV the project writes (`xxgk export`) or serves (Datasette, through the
plugin archive/web/safety.py)."""
from __future__ import annotations

import csv
import io
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value):
    """The value to write in a CSV cell."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(row):
    return [safe_cell(v) for v in row]


class StreamRewriter:
    """Neutralises the cells of a CSV text arriving in chunks (Datasette streams its CSV): complete
    records are re-written with safe_cell, a record split between chunks waits for its end."""

    def __init__(self):
        self.tail = b""  # the last, unfinished line
        self.record: list[bytes] = []  # lines of a record whose quoted field is still open
        self.quoted = False

    def _rewrite(self, records: bytes) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        for row in csv.reader(io.StringIO(records.decode("utf-8", errors="surrogateescape"), newline="")):
            writer.writerow(safe_row(row))
        return out.getvalue().encode("utf-8", errors="surrogateescape")

    def feed(self, chunk: bytes) -> bytes:
        lines = (self.tail + chunk).split(b"\n")
        self.tail = lines.pop()
        done = []
        for line in lines:
            self.record.append(line)
            if line.count(b'"') % 2:
                self.quoted = not self.quoted
            if not self.quoted:  # a newline outside quotes ends the record
                done.append(b"\n".join(self.record) + b"\n")
                self.record = []
        return self._rewrite(b"".join(done)) if done else b""

    def close(self) -> bytes:
        rest = b"\n".join(self.record + [self.tail])
        self.record, self.tail = [], b""
        return self._rewrite(rest) if rest.strip() else b""
