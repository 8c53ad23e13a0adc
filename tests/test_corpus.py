"""The real corpus, judged by its own expected files and MANIFEST.tsv (not by lists written here):
every expected cell exact, or left unknown where the expected file names it `ambiguous`; every
unknown cell one of those or a cell the report does not print; pre-2019 reports rejected; the
checks failed exactly in the reports the manifest calls a REAL DATA ERROR; a report flagged
exactly when it has an unknown cell or a failed check."""
from __future__ import annotations

import csv
import json
from decimal import Decimal

import pytest

from archive.parse import parse_file
from tests.conftest import CORPUS

REPORTS, EXPECTED = CORPUS / "reports", CORPUS / "expected"
TABLES = ("active", "applications", "reviews")

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")


def expected_files():
    return sorted(EXPECTED.glob("*.json")) if EXPECTED.is_dir() else []


def manifest() -> dict[str, dict]:
    path = CORPUS / "MANIFEST.tsv"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as f:
        return {row["file"]: row for row in csv.DictReader(f, delimiter="\t")}


MANIFEST = manifest()
REAL_ERRORS = sorted(name for name, row in MANIFEST.items() if "REAL DATA ERROR" in (row.get("notes") or ""))


@pytest.fixture(scope="module")
def parsed():
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = parse_file(REPORTS / name)
        return cache[name]

    return get


def _failed(report):
    return sorted((c["check"], c.get("row") or c.get("column")) for c in report.checks if c["status"] == "failed")


def _expected_cells(exp):
    for table in TABLES:
        for row, cells in (exp.get(table) or {}).items():
            for col, ev in cells.items():
                yield f"{table}.{row}.{col}", ev


@pytest.mark.parametrize("exp_path", expected_files(), ids=lambda p: p.name)
def test_every_cell_exact_or_ambiguous(exp_path, parsed):
    exp = json.loads(exp_path.read_text())
    report = parsed(exp["file"])
    out = report.to_json()
    ambiguous = set(exp.get("ambiguous") or ())
    problems = []
    for key, ev in _expected_cells(exp):
        table, row, col = key.split(".")
        got = (out.get(table) or {}).get(row, {}).get(col)
        if got is None and key in report.unknown_cells:
            if key not in ambiguous:
                problems.append(f"{key} unknown, printed {ev!r}")
        elif ev is None:
            if got not in (None, 0):
                problems.append(f"{key} {got!r} for a blank")
        elif got is None or Decimal(str(got)) != Decimal(str(ev)):
            problems.append(f"{key} {got!r} != {ev!r}")
    assert problems == []


@pytest.mark.parametrize("exp_path", expected_files(), ids=lambda p: p.name)
def test_unknown_cells_are_ambiguous_or_not_printed(exp_path, parsed):
    """A cell left unknown is one the expected file calls ambiguous, or one of the template the
    report does not print (a report without a 规章 row): then the report is incomplete."""
    exp = json.loads(exp_path.read_text())
    report = parsed(exp["file"])
    printed = {key for key, _ in _expected_cells(exp)}
    ambiguous = set(exp.get("ambiguous") or ())
    assert [k for k in report.unknown_cells if k in printed and k not in ambiguous] == []
    assert set(report.missing_cells) & printed <= ambiguous
    assert report.incomplete == bool(report.unknown_cells)
    assert report.flagged or not report.unknown_cells


@pytest.mark.parametrize("exp_path", expected_files(), ids=lambda p: p.name)
def test_year_template_and_rows(exp_path, parsed):
    exp = json.loads(exp_path.read_text())
    report = parsed(exp["file"])
    assert report.year == exp["year"]
    assert report.template == exp["template"]
    if exp["template"] is None:
        assert "applications" not in report.tables
        assert "reviews" not in report.tables
        assert report.unknown_cells == []
    else:
        assert set(report.tables["applications"]) | {c.split(".")[1] for c in report.unknown_cells if c.startswith("applications.")} == set(exp["applications"])
        mixed = (MANIFEST.get(exp["file"], {}).get("template") or "").startswith("mixed")
        assert (report.template_variant == "mixed") == mixed


@pytest.mark.parametrize("exp_path", expected_files(), ids=lambda p: p.name)
def test_failed_checks_only_in_real_data_errors(exp_path, parsed):
    exp = json.loads(exp_path.read_text())
    report = parsed(exp["file"])
    assert bool(_failed(report)) == (exp["file"] in REAL_ERRORS)
    assert report.flagged == bool(report.unknown_cells or _failed(report))


def test_manifest_names_three_real_data_errors():
    assert len(REAL_ERRORS) == 3 and all((EXPECTED / f"{n}.json").is_file() for n in REAL_ERRORS)


@pytest.mark.parametrize(
    "name, organ",
    [
        ("000_d3342e2d2945bd72.txt", "偃师区翟镇镇人民政府"),
        ("001_f8f9ef6afdc9c288.txt", "慈周寨镇"),
        ("002_fdae73c5d0e03e9f.txt", "偃师区缙氏镇人民政府"),
        ("003_d783aba02661c840.txt", "文水县刘胡兰镇"),
        ("004_d5cd8b8f50687201.txt", "获嘉县徐营镇"),
        ("huaian_city_2024.pdf", "淮安市人民政府"),
        ("huaian_hongze_district_2023.pdf", "淮安市洪泽区人民政府"),
        ("pingtan_zone_2025.page.txt", "平潭综合实验区"),
        ("pingtan_dishuiju_2013.page.txt", "平潭综合实验区地方税务局"),
        ("pingtan_county_2011.page.txt", "平潭县人民政府"),
    ],
)
def test_organ(name, organ, parsed):
    assert parsed(name).organ == organ


@pytest.mark.parametrize("name", ["pingtan_zone_2019.page.txt", "pingtan_zone_2020.page.txt"])
def test_2019_active_glued_cells_left_unknown_not_guessed(name, parsed):
    report = parsed(name)
    assert "active.licensing.previous" in report.unknown_cells
    assert "licensing" not in report.tables.get("active", {}) or "previous" not in report.tables["active"]["licensing"]
    assert all(c.startswith("active.") for c in report.unknown_cells)


def test_pingtan_2020_glued_rules_pinned_by_length(parsed):
    rules = parsed("pingtan_zone_2020.page.txt").tables["active"]["rules"]
    assert [rules[c].number for c in ("made", "published", "total_published")] == [0, 0, 7]


def test_pingtan_2020_negative_change_of_fees(parsed):
    assert parsed("pingtan_zone_2020.page.txt").tables["active"]["fees"]["change"].number == Decimal("-15")


def test_pingtan_2025_fees_keep_six_decimals(parsed):
    assert parsed("pingtan_zone_2025.page.txt").tables["active"]["fees"]["amount"].number == Decimal("4166.241619")


def test_pingtan_2025_reviews_split_by_a4(parsed):
    reviews = parsed("pingtan_zone_2025.page.txt").tables["reviews"]
    assert [reviews["review"][c].number for c in ("upheld", "corrected", "other", "pending", "total")] == [25, 3, 8, 0, 36]


def test_huaian_city_seven_digit_punishment(parsed):
    assert parsed("huaian_city_2024.pdf").tables["active"]["punishment"]["decisions"].number == 3985758


def test_huaian_city_table_split_across_pages(parsed):
    row = parsed("huaian_city_2024.pdf").tables["applications"]["unavailable_needs_creation"]
    assert [row[c].number for c in ("natural_person", "total")] == [11, 11]


def test_hongze_2023_is_mixed(parsed):
    report = parsed("huaian_hongze_district_2023.pdf")
    assert (report.template, report.template_variant) == ("2021", "mixed")


def test_hongze_2023_typo_label_read(parsed):
    row = parsed("huaian_hongze_district_2023.pdf").tables["applications"]["denied_law_prohibited"]
    assert row["total"].number == 0


def test_failed_checks_are_exactly_the_real_errors(parsed):
    assert _failed(parsed("pingtan_zone_2020.page.txt")) == [("A3", "natural_person"), ("A3", "total")]
    assert _failed(parsed("huaian_hongze_district_2023.pdf")) == [("A4", "litigation_after_review"), ("A4", "review")]


def test_no_report_without_expected_file_fails_a_check(parsed):
    """The reports kept for robustness (no expected file) are consistent sources."""
    for path in sorted(REPORTS.iterdir()):
        if not (EXPECTED / f"{path.name}.json").is_file() and path.name not in REAL_ERRORS:
            assert _failed(parsed(path.name)) == [], path.name


def test_pingtan_2020_a3_numbers(parsed):
    a3 = {c["column"]: c for c in parsed("pingtan_zone_2020.page.txt").checks if c["check"] == "A3"}
    assert (a3["total"]["expected"], a3["total"]["actual"]) == ("27", "21")


def test_shanghai_blank_totals_not_checkable(parsed):
    checks = parsed("shanghai_city_govoffice_2019.html").checks
    a2 = {c["row"]: c["status"] for c in checks if c["check"] == "A2"}
    assert a2["granted"] == "not_checkable"


def test_shanghai_a1_on_natural_persons_passes(parsed):
    checks = parsed("shanghai_city_govoffice_2019.html").checks
    a1 = {c["column"]: c for c in checks if c["check"] == "A1"}
    assert (a1["natural_person"]["expected"], a1["natural_person"]["status"]) == ("839", "passed")


def test_narrative_restatement_checked(parsed):
    a6 = [c for c in parsed("huaian_city_2024.pdf").checks if c["check"] == "A6"]
    assert [(c["row"], c["actual"], c["status"]) for c in a6] == [
        ("new_received", "3119", "passed"), ("review", "351", "passed"), ("litigation", "46", "passed")
    ]
