"""Which cells a 2019/2021 report must print, and the ones a reading left out.

A report recognised as a 2019 or 2021 report is complete or flagged: every cell of its template
that no reading found is listed as unknown (so the report is flagged), and a warning names the
table and the rows. An unflagged hole would look like a report that printed nothing there.
"""
from __future__ import annotations

from functools import lru_cache

from . import schema

TABLE_NAMES = {"active": "表二", "applications": "表三", "reviews": "表四"}


def template_cells(template: str | None, variant: str | None = None) -> list[str]:
    """Every cell key ("table.row.col") of a template, in canonical order."""
    return list(_template_cells(template, variant))


@lru_cache(maxsize=None)
def _template_cells(template: str | None, variant: str | None) -> tuple[str, ...]:
    if template not in ("2019", "2021"):
        return ()
    active = schema.ACTIVE_2019 if template == "2019" else schema.ACTIVE_2021
    rows = [k for k, _, _ in schema.APPLICATION_ROWS]
    if template == "2019" or variant == "mixed":
        rows = [k for k in rows if k not in schema.OTHER_2021]
    else:
        rows = [k for k in rows if k != "other"]
    out = [f"active.{r}.{c}" for r, cols in active.items() for c in cols]
    out += [f"applications.{r}.{c}" for r in rows for c, _ in schema.APPLICANT_COLUMNS]
    out += [f"reviews.{g}.{c}" for g, _ in schema.REVIEW_ROWS for c, _ in schema.REVIEW_COLUMNS]
    return tuple(out)


@lru_cache(maxsize=None)
def _template_places(template: str | None, variant: str | None) -> tuple[tuple[str, str, str, str], ...]:
    """(key, table, row, col) of every cell of a template."""
    return tuple((k, *k.split(".")) for k in _template_cells(template, variant))


def unreadable_as_unknown(report) -> None:
    """A value cell that prints something that is not a number (`x`, `？`, `N/A`) is unknown: it
    was printed, but no number can be read from it."""
    if all(cols and all(v.status != "unreadable" for v in cols.values()) for rows in report.tables.values() for cols in rows.values()):
        return  # the common case (nothing to remove), without building the lists below
    for table, row, col, value in list(report.cells()):
        if value.status == "unreadable":
            del report.tables[table][row][col]
            key = f"{table}.{row}.{col}"
            if key not in report.unknown_cells:
                report.unknown_cells.append(key)
            report.warnings.append(f"{key}: {value.raw!r} is not a number: left unknown")
    _drop_empty_rows(report)


def _drop_empty_rows(report) -> None:
    """Rows left without a cell by the removals above are no rows of the report."""
    for table in list(report.tables):
        for row in [r for r, cols in report.tables[table].items() if not cols]:
            del report.tables[table][row]


def drop_outside_template(report) -> None:
    """Forget the cells that are not cells of the report's template: values a reading put under
    a row or column the decided format does not have (a 2021 table's 增减 column beside its
    本年处理决定数量, the （六）其他处理 heading's subtotal over the 2021 sub-rows). They are no
    value of the canonical tables, and a check never rests on them."""
    if report.template not in ("2019", "2021"):
        return
    cells = set(_template_cells(report.template, report.template_variant))
    for table, row, col, value in list(report.cells()):
        key = f"{table}.{row}.{col}"
        if key not in cells:
            del report.tables[table][row][col]
            report.warnings.append(f"{key}: not a cell of the {report.template} tables ({value.raw!r}): not kept")
    report.unknown_cells = [c for c in report.unknown_cells if c in cells]
    _drop_empty_rows(report)


def clear_missing(report) -> None:
    """Forget the cells marked missing by an earlier pass (before the tables change again)."""
    if report.missing_cells:
        gone = set(report.missing_cells)
        report.unknown_cells = [c for c in report.unknown_cells if c not in gone]
        report.warnings = [w for w in report.warnings if not w.startswith("incomplete:")]
        report.missing_cells = []


def mark_missing(report) -> None:
    """List every template cell that was neither read nor already unknown as unknown, and warn
    naming the table and rows."""
    clear_missing(report)
    unknown, tables, none = set(report.unknown_cells), report.tables, {}
    missing = [k for k, t, r, c in _template_places(report.template, report.template_variant)
               if k not in unknown and c not in tables.get(t, none).get(r, none)]
    if not missing:
        return
    report.missing_cells = missing
    report.unknown_cells.extend(missing)
    by_table: dict[str, list[str]] = {}
    for key in missing:
        table, row, _ = key.split(".")
        rows = by_table.setdefault(table, [])
        if row not in rows:
            rows.append(row)
    for table, rows in by_table.items():
        n = sum(1 for k in missing if k.startswith(table + "."))
        report.warnings.append(
            f"incomplete: {TABLE_NAMES[table]} ({table}) rows {', '.join(rows)} not read ({n} cells unknown)"
        )
