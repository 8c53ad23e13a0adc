"""The one place every CSV file of the archive is written (`xxgk export`, the bulk-download zips,
the compare page's CSV): a cell-level rule such as spreadsheet-formula neutralisation applies
to all of them by being applied here."""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import IO, Iterable, Sequence

from .csvsafe import safe_row


def write_csv(stream: IO[str], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Header and rows to a text stream opened with newline="" (UTF-8 with BOM for files that
    Excel opens). Returns the number of data rows written."""
    writer = csv.writer(stream)
    writer.writerow(safe_row(columns))
    n = 0
    for row in rows:
        writer.writerow(safe_row(row))  # no cell Excel would run as a formula
        n += 1
    return n


def write_csv_file(path: Path, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """A CSV file, UTF-8 with BOM, written beside its final name then moved: a reader never
    sees half a file."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        n = write_csv(fh, columns, rows)
    tmp.replace(path)
    return n


def csv_text(columns: Sequence[str], rows: Iterable[Sequence]) -> str:
    """A CSV document as text with its BOM, for an HTTP response."""
    buf = io.StringIO()
    buf.write("\ufeff")
    write_csv(buf, columns, rows)
    return buf.getvalue()
