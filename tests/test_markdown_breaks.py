"""Markdown tables whose cells a PDF→markdown converter broke with `<br>` (pymupdf4llm does all
three): a label cell holding its row's first value, a number wrapped over two lines, and two rows
run into one line with the second row's label left on a row of empty cells. Random consistent
reports (tests/layouts.py) are printed as pipe tables, broken one way, and read back: exact where
the text pins the value, unknown and flagged where it cannot, never a wrong number."""
from __future__ import annotations

import random
import re

import pytest

from archive.parse import parse_bytes
from tests.layouts import application_lines, compare, random_report, render_pipes

N = 24


def _reports(seed: int):
    rng = random.Random(seed)
    for i in range(N):
        truth = random_report(rng, mixed=0.25)
        yield i, truth, render_pipes(truth, random.Random(i))


def _read(text: str, name: str, truth):
    report = parse_bytes(text.encode(), name)
    return report, *compare(report, truth, set())


def test_label_cell_holding_the_first_value():
    """`| 行政许可<br>0 | -7 | 0 |`: the value after the label is the row's first cell."""
    moved = 0
    for i, truth, text in _reports(1):
        def join(m):
            nonlocal moved
            moved += 1
            return f"| {m.group(1)}<br>{m.group(2)} |"

        broken = re.sub(r"^\| (行政[^|<]*?|规章|规范性文件|行政规范性文件|政府集中采购|其他对外管理服务事项) \| (-?[\d.]+元?) \|",
                        join, text, flags=re.M)
        report, exact, wrong, unknown = _read(broken, f"label-{i}", truth)
        assert wrong == [], (i, wrong)
        assert unknown == [], (i, unknown)
        assert len(exact) == len(list(truth.cells()))
    assert moved >= 4 * N  # every report had several 表二 rows broken this way


def test_number_wrapped_over_two_lines():
    """表四's 总计 of 行政复议 printed `12<br>7`: read as 127 when the identities say so."""
    wrapped = 0
    for i, truth, text in _reports(2):
        total = truth.tables["reviews"]["review"]["total"]
        if len(total) < 2:
            continue
        values = re.findall(r"^\|.*\|$", text, re.M)[-1]
        cells = values.strip("| ").split(" | ")
        cells[4] = f"{total[:-1]}<br>{total[-1]}"
        broken = text.replace(values, "| " + " | ".join(cells) + " |")
        wrapped += 1
        report, exact, wrong, unknown = _read(broken, f"wrapped-{i}", truth)
        assert wrong == [], (i, wrong)
        assert "reviews.review.total" in exact, (i, report.warnings)
        assert unknown == [] and not report.flagged, (i, unknown)
    assert wrapped >= N // 2


def test_two_rows_run_into_one_line():
    """`| 4.保护第三方合法权益<br>5.属于 | 573<br>0 | … |`, then `| 三类内部事务信息 |  |  | … |`: the
    two rows are never read as values of one row and zeros of the other."""
    done = 0
    for i, truth, text in _reports(3):
        apps = truth.tables["applications"]
        first, second = apps["denied_third_party"], apps["denied_internal_affairs"]
        lines = text.split("\n")
        at = next((k for k, line in enumerate(lines) if "| 4.保护第三方合法权益 |" in line), None)
        if at is None or "| 5.属于三类内部事务信息 |" not in lines[at + 1]:
            continue  # the generator broke a page inside one of the two rows
        done += 1
        cells = [f"{a}<br>{b}" for a, b in zip(first.values(), second.values())]
        lines[at] = "| 4.保护第三方合法权益<br>5.属于 | " + " | ".join(cells) + " |"
        lines[at + 1] = "| 三类内部事务信息 | " + " | ".join([""] * 7) + " |"
        report, exact, wrong, unknown = _read("\n".join(lines), f"runtogether-{i}", truth)
        assert wrong == [], (i, wrong)
        assert report.flagged
        for row in ("denied_third_party", "denied_internal_affairs"):
            for col in apps[row]:
                key = f"applications.{row}.{col}"
                assert key in unknown or key in exact, key
        assert {f"applications.denied_internal_affairs.{c}" for c in second} <= set(unknown)
        # Every other row of 表三 is read exactly.
        others = [k for k in exact if k.startswith("applications.") and ".denied_third_party." not in k
                  and ".denied_internal_affairs." not in k]
        assert len(others) == 7 * (len(apps) - 2), (i, report.warnings)
    assert done >= N - 8


@pytest.mark.parametrize("seed", [4])
def test_clean_pipes_unchanged(seed):
    """The same reports unbroken read whole: the readings for broken cells never run on them."""
    for i, truth, text in _reports(seed):
        report, exact, wrong, unknown = _read(text, f"clean-{i}", truth)
        assert (wrong, unknown) == ([], [])
        assert len(exact) == len(list(truth.cells()))


def test_scattered_table_three_still_a_report():
    """表二 read from a clean table, 表三's labels interleaved past finding (`|一、本<br>公开申|年新收政
    <br>请数量|府信息|…`) and 表四's heading broken with them: recognised by its 表二 and the heading of
    表三, flagged, every cell of 表三 and 表四 unknown — never an empty, unflagged report."""
    seen = set()
    for i, truth, text in _reports(5):
        head = text[: text.index("三、收到和处理政府信息公开申请情况")]
        rows = ["|（本列|数据的勾|稽关系|申请人|情况||||||", "|---|---|---|---|---|---|---|---|---|---|"]
        for cells, values in application_lines(truth):
            # The label's two printed lines in three narrow cells, read cell by cell: each cell
            # holds a piece of the first line over a piece of the second.
            label = "".join(cells)
            one, two = label[:10], label[10:]
            rows.append(f"|{one[:3]}<br>{two[:3]}|{one[3:7]}<br>{two[3:]}|{one[7:]}|" + "|".join(values) + "|")
        # 表四's heading as pymupdf4llm printed it, its words broken over cells and lines.
        heading4 = "|理<br>四、政府信息公<br>行政复议<br><br><br>|开行政复<br><br>|议、行政<br>行政<br><br>|诉讼情况<br>诉讼<br>|||"
        text = f"{head}三、收到和处理政府信息公开申请情况\n\n" + "\n".join(rows) + f"\n{heading4}\n"
        report, exact, wrong, unknown = _read(text, f"scattered-{i}", truth)
        template = "2021" if truth.template == "2021" else "2019"
        assert report.template == template, (i, report.warnings)
        assert report.flagged
        assert wrong == [], (i, wrong)
        assert {f"active.{r}.{c}" for r, cols in truth.tables["active"].items() for c in cols} <= set(exact)
        seen.add(truth.variant or truth.template)
    assert seen == {"2019", "2021", "mixed"}
