"""The label-anchored stream reader on small texts in each layout."""
from __future__ import annotations

from decimal import Decimal

from archive import glued
from archive.textparse import find_title, parse_text, prepare, segments

HEADER = "三、收到和处理政府信息公开申请情况\n申请人情况 自然人 法人或其他组织 总计 商业企业 科研机构 社会公益组织 法律服务机构 其他\n"
ROWS_2019 = [
    ("一、本年新收政府信息公开申请数量", "21 0 0 0 0 1 22"),
    ("二、上年结转政府信息公开申请数量", "1 0 0 0 0 0 1"),
    ("三、本年度办理结果 （一）予以公开", "10 0 0 0 0 1 11"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "2 0 0 0 0 0 2"),
    ("（三）不予公开 1.属于国家秘密", "0 0 0 0 0 0 0"),
    ("2.其他法律行政法规禁止公开", "0 0 0 0 0 0 0"),
    ("3.危及“三安全一稳定”", "0 0 0 0 0 0 0"),
    ("4.保护第三方合法权益", "0 0 0 0 0 0 0"),
    ("5.属于三类内部事务信息", "0 0 0 0 0 0 0"),
    ("6.属于四类过程性信息", "0 0 0 0 0 0 0"),
    ("7.属于行政执法案卷", "0 0 0 0 0 0 0"),
    ("8.属于行政查询事项", "0 0 0 0 0 0 0"),
    ("（四）无法提供 1.本机关不掌握相关政府信息", "5 0 0 0 0 0 5"),
    ("2.没有现成信息需要另行制作", "0 0 0 0 0 0 0"),
    ("3.补正后申请内容仍不明确", "0 0 0 0 0 0 0"),
    ("（五）不予处理 1.信访举报投诉类申请", "0 0 0 0 0 0 0"),
    ("2.重复申请", "3 0 0 0 0 0 3"),
    ("3.要求提供公开出版物", "0 0 0 0 0 0 0"),
    ("4.无正当理由大量反复申请", "0 0 0 0 0 0 0"),
    ("5.要求行政机关确认或重新出具已获取信息", "0 0 0 0 0 0 0"),
    ("（六）其他处理", "1 0 0 0 0 0 1"),
    ("（七）总计", "21 0 0 0 0 1 22"),
    ("四、结转下年度继续办理", "1 0 0 0 0 0 1"),
]
REVIEWS = "四、政府信息公开行政复议、行政诉讼情况\n行政复议 行政诉讼 结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉 结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计\n"
ACTIVE_2019 = (
    "二、主动公开政府信息情况\n第二十条第（一）项\n信息内容 本年新制作数量 本年新公开数量 对外公开总数量\n规章 0 0 7\n规范性文件 77 77 166\n"
    "第二十条第（五）项\n信息内容 上一年项目数量 本年增/减 处理决定数量\n行政许可 396 442 278\n"
    "第二十条第（八）项\n信息内容 上一年项目数量 本年增/减\n行政事业性收费 35 -15\n"
    "第二十条第（九）项\n信息内容 采购项目数量 采购总金额\n政府集中采购 395 73802895.90元\n"
)


def report_text(rows=ROWS_2019, sep=" ", reviews="1 0 0 0 1 0 0 0 0 0 0 0 0 0 0"):
    body = "".join(f"{label}{sep}{values}\n" for label, values in rows)
    return f"某县2020年政府信息公开工作年度报告\n{ACTIVE_2019}{HEADER}{body}{REVIEWS}{reviews}\n五、存在的主要问题及改进情况\n无。"


def test_title_from_first_lines_joined():
    assert find_title("偃师区翟镇镇人民政府2024年政府信息公开工作年\n度报告\n\n一、总体情况") == "偃师区翟镇镇人民政府2024年政府信息公开工作年度报告"


def test_title_from_metadata_header():
    assert find_title("标题: 平潭综合实验区2024年度政府信息公开工作年度报告\n发布时间: 2025") == "平潭综合实验区2024年度政府信息公开工作年度报告"


def test_prepare_removes_page_footer():
    assert "- 4 -" not in prepare("行政许可 5\n- 4 -\n行政处罚 6")


def test_prepare_folds_full_width_digits():
    assert prepare("２１") == "21"


def test_segments_stop_at_text_after_values():
    assert segments("（区分处理的）\n0 0 12\n（三）不予公开") == ["0", "0", "12"]


def test_segments_dash_is_a_blank():
    assert segments(" / 5") == [glued.DASH, "5"]


def test_segments_minus_starts_a_cell():
    assert segments("2648-18538") == ["2648", "-18538"]


def test_2019_template():
    assert parse_text(report_text(), "t").template == "2019"


def test_year_and_organ():
    report = parse_text(report_text(), "t")
    assert (report.year, report.organ) == (2020, "某县")


def test_single_other_row():
    assert parse_text(report_text(), "t").tables["applications"]["other"]["total"].number == 1


def test_new_received_other_org():
    assert parse_text(report_text(), "t").tables["applications"]["new_received"]["other_org"].number == 1


def test_active_negative_change():
    assert parse_text(report_text(), "t").tables["active"]["fees"]["change"].number == Decimal("-15")


def test_active_amount_unit_removed():
    value = parse_text(report_text(), "t").tables["active"]["procurement"]["amount"]
    assert (value.number, value.raw) == (Decimal("73802895.90"), "73802895.90")


def test_reviews_review_total():
    assert parse_text(report_text(), "t").tables["reviews"]["review"]["total"].number == 1


def test_tab_layout_reads_the_same():
    assert parse_text(report_text(sep="\t\t"), "t").tables == parse_text(report_text(), "t").tables


def test_one_cell_per_line_reads_the_same():
    rows = [(label, values.replace(" ", "\n\t")) for label, values in ROWS_2019]
    assert parse_text(report_text(rows, sep="\n\t"), "t").tables == parse_text(report_text(), "t").tables


def test_glued_rows_recovered_by_sums():
    rows = [(label, values.replace(" ", "")) for label, values in ROWS_2019]
    report = parse_text(report_text(rows, sep=""), "t")
    assert report.tables["applications"]["new_received"]["total"].number == 22


def test_glued_rows_no_unknown_application_cells():
    rows = [(label, values.replace(" ", "")) for label, values in ROWS_2019]
    report = parse_text(report_text(rows, sep=""), "t")
    assert [c for c in report.unknown_cells if c.startswith("applications.")] == []


def test_blank_cell_in_separated_layout_is_unknown_not_shifted():
    rows = list(ROWS_2019)
    rows[16] = ("2.重复申请", "3 0 0 0 0 3")  # one blank cell: which one cannot be told
    report = parse_text(report_text(rows), "t")
    assert "unprocessed_repeat" not in report.tables["applications"]


def test_blank_cell_flagged_unknown():
    rows = list(ROWS_2019)
    rows[16] = ("2.重复申请", "3 0 0 0 0 3")
    report = parse_text(report_text(rows), "t")
    assert "applications.unprocessed_repeat.total" in report.unknown_cells


def test_typo_label_read():
    rows = list(ROWS_2019)
    rows[5] = ("2.其他法律行政止公开", "0 0 0 0 0 0 0")
    assert parse_text(report_text(rows), "t").tables["applications"]["denied_law_prohibited"]["total"].number == 0


def test_traditional_characters():
    text = report_text().replace("本年新收政府信息公开申请数量", "本年新收政府資訊公開申請數量").replace("上年结转", "上年結轉")
    assert parse_text(text, "t").tables["applications"]["carried_over"]["total"].number == 1


def test_full_width_digits():
    text = report_text().replace("21 0 0 0 0 1 22", "２１ ０ ０ ０ ０ １ ２２", 1)
    assert parse_text(text, "t").tables["applications"]["new_received"]["natural_person"].number == 21


def test_pre_2019_statistics_not_mapped():
    text = "某县2012年政府信息公开工作年度报告\n统计表 指标名称 计量单位 2012年度 历年累计\n受理依申请公开信息总数 条 21 21\n同意公开 17\n行政复议数 0"
    report = parse_text(text, "t")
    assert (report.template, report.tables) == (None, {})


def test_a_line_of_many_empty_cells_is_prepared_at_once():
    """A markdown line of forty empty cells followed by text is no placeholder header: it is kept,
    and found so at once (the placeholder pattern used to backtrack exponentially on it: 2.6 s at
    fourteen cells, three times longer at each more; OCR grids with empty cells reached it). Run in
    a child process so that a regression fails on its time limit instead of hanging the suite."""
    import subprocess
    import sys

    code = ("from archive.textparse import _MD_PLACEHOLDER as P; line = '\\n|' + '  |' * 40;"
            "assert P.search(line + ' x') is None; assert P.search(line + '\\n').group() == line;"
            "assert P.search('\\n| 列1 | 列2 |  |\\n').group() == '\\n| 列1 | 列2 |  |'; print('ok')")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert p.stdout.strip() == "ok", p.stderr
