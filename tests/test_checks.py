"""The identities A1–A6 on tables built by hand, and A5 across years."""
from __future__ import annotations

from decimal import Decimal

from archive import schema
from archive.checks import check_tables, cross_year_checks
from archive.labels import read_value


def table(rows: dict) -> dict:
    """applications rows given as lists of the seven printed cells."""
    keys = [k for k, _ in schema.APPLICANT_COLUMNS]
    return {"applications": {r: {k: read_value(v) for k, v in zip(keys, vals)} for r, vals in rows.items()}}


ZERO = ["0"] * 7


def consistent() -> dict:
    rows = {k: list(ZERO) for k in schema.RESULT_ROWS_2019}
    rows["granted"] = ["3", "1", "0", "0", "0", "0", "4"]
    rows["new_received"] = ["3", "1", "0", "0", "0", "0", "4"]
    rows["carried_over"] = ["1", "0", "0", "0", "0", "0", "1"]
    rows["total_processed"] = ["3", "1", "0", "0", "0", "0", "4"]
    rows["carried_forward"] = ["1", "0", "0", "0", "0", "0", "1"]
    return table(rows)


def statuses(checks, name):
    return [c["status"] for c in checks if c["check"] == name]


def test_consistent_table_passes_everything():
    assert {c["status"] for c in check_tables(consistent())} == {"passed"}


def test_a1_count():
    assert len(statuses(check_tables(consistent()), "A1")) == 7


def test_a3_fails_on_wrong_total():
    t = consistent()
    t["applications"]["total_processed"]["natural_person"] = read_value("2")
    failed = [c for c in check_tables(t) if c["check"] == "A3" and c["status"] == "failed"]
    assert [(c["column"], c["expected"], c["actual"]) for c in failed] == [("natural_person", "3", "2")]


def test_a2_fails_on_wrong_row_total():
    t = consistent()
    t["applications"]["granted"]["total"] = read_value("5")
    failed = [c["row"] for c in check_tables(t) if c["check"] == "A2" and c["status"] == "failed"]
    assert failed == ["granted"]


def test_blank_cell_is_not_checkable():
    t = consistent()
    t["applications"]["granted"]["total"] = read_value("")
    a2 = {c["row"]: c["status"] for c in check_tables(t) if c["check"] == "A2"}
    assert a2["granted"] == "not_checkable"


def test_dash_cell_is_not_checkable():
    t = consistent()
    t["applications"]["carried_over"]["research"] = read_value("—")
    a1 = {c["column"]: c["status"] for c in check_tables(t) if c["check"] == "A1"}
    assert a1["research"] == "not_checkable"


def test_a4_failure_as_in_hongze():
    reviews = {g: {c: read_value("0") for c, _ in schema.REVIEW_COLUMNS} for g, _ in schema.REVIEW_ROWS}
    reviews["review"]["upheld"] = read_value("10")
    reviews["review"]["corrected"] = read_value("1")
    failed = [c for c in check_tables({"reviews": reviews}) if c["status"] == "failed"]
    assert [(c["check"], c["row"], c["expected"], c["actual"]) for c in failed] == [("A4", "review", "11", "0")]


def test_a6_narrative_agrees():
    checks = check_tables(consistent(), "2024年，全区共受理政府信息公开申请4件。")
    assert [(c["check"], c["status"]) for c in checks if c["check"] == "A6"] == [("A6", "passed")]


def test_a6_narrative_disagrees():
    checks = check_tables(consistent(), "2024年，全区共受理政府信息公开申请9件。")
    assert [(c["expected"], c["actual"], c["status"]) for c in checks if c["check"] == "A6"] == [("4", "9", "failed")]


def test_a6_partial_scope_not_checked():
    checks = check_tables(consistent(), "2024年，区政府办代表区政府受理政府信息公开申请2件。")
    assert [c for c in checks if c["check"] == "A6"] == []


def test_a6_litigation_sum():
    reviews = {g: {c: read_value("0") for c, _ in schema.REVIEW_COLUMNS} for g, _ in schema.REVIEW_ROWS}
    reviews["litigation_direct"]["total"] = read_value("2")
    reviews["litigation_direct"]["upheld"] = read_value("2")
    reviews["litigation_after_review"]["total"] = read_value("1")
    reviews["litigation_after_review"]["pending"] = read_value("1")
    checks = check_tables({"reviews": reviews}, "全年行政诉讼3件。")
    assert [(c["expected"], c["status"]) for c in checks if c["check"] == "A6"] == [("3", "passed")]


def test_a5_passes():
    out = cross_year_checks([
        ("平潭综合实验区", 2021, {"carried_forward": {"total": 1}}),
        ("平潭综合实验区", 2022, {"carried_over": {"total": "1"}}),
    ])
    assert [(c["check"], c["year"], c["column"], c["status"]) for c in out] == [("A5", 2021, "total", "passed")]


def test_a5_fails():
    out = cross_year_checks([
        ("X", 2023, {"carried_forward": {"total": read_value("2")}}),
        ("X", 2024, {"carried_over": {"total": read_value("0")}}),
    ])
    assert [(c["expected"], c["actual"], c["status"]) for c in out] == [("2", "0", "failed")]


def test_a5_needs_consecutive_years_of_one_organ():
    out = cross_year_checks([
        ("X", 2021, {"carried_forward": {"total": 1}}),
        ("X", 2023, {"carried_over": {"total": 1}}),
        ("Y", 2022, {"carried_over": {"total": 1}}),
    ])
    assert out == []


def test_a5_blank_not_checkable():
    out = cross_year_checks([("X", 2021, {"carried_forward": {"total": None}}), ("X", 2022, {"carried_over": {"total": Decimal(0)}})])
    assert [c["status"] for c in out] == ["not_checkable"]
