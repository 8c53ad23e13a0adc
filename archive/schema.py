"""The canonical tables of a 年度报告: keys, Chinese labels, and the label rules that find them.

Keys and labels follow ../shared/corpus/README.md (the canonical JSON). Each rule is a list of
keywords matched against a *normalised* label (see labels.normalise): a label matches when every
keyword of one alternative occurs in it. Rules are tried in order, so the more specific come first.
"""
from __future__ import annotations

from functools import lru_cache

TABLES = ("active", "applications", "reviews")

TABLE_LABELS = {
    "active": "主动公开政府信息情况",
    "applications": "收到和处理政府信息公开申请情况",
    "reviews": "政府信息公开行政复议、行政诉讼情况",
}

# 表三 -----------------------------------------------------------------------------------------
APPLICANT_COLUMNS = (
    ("natural_person", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("social_welfare", "社会公益组织"),
    ("legal_service", "法律服务机构"),
    ("other_org", "其他"),
    ("total", "总计"),
)
APPLICANT_PARTS = tuple(k for k, _ in APPLICANT_COLUMNS if k != "total")

# (key, label, group) in printed order; group is the （三）…（六） heading a sub-row sits under.
APPLICATION_ROWS = (
    ("new_received", "一、本年新收政府信息公开申请数量", None),
    ("carried_over", "二、上年结转政府信息公开申请数量", None),
    ("granted", "（一）予以公开", None),
    ("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None),
    ("denied_state_secret", "1.属于国家秘密", "denied"),
    ("denied_law_prohibited", "2.其他法律行政法规禁止公开", "denied"),
    ("denied_three_security", "3.危及“三安全一稳定”", "denied"),
    ("denied_third_party", "4.保护第三方合法权益", "denied"),
    ("denied_internal_affairs", "5.属于三类内部事务信息", "denied"),
    ("denied_process_info", "6.属于四类过程性信息", "denied"),
    ("denied_enforcement_file", "7.属于行政执法案卷", "denied"),
    ("denied_query_matter", "8.属于行政查询事项", "denied"),
    ("unavailable_not_held", "1.本机关不掌握相关政府信息", "unavailable"),
    ("unavailable_needs_creation", "2.没有现成信息需要另行制作", "unavailable"),
    ("unavailable_unclear", "3.补正后申请内容仍不明确", "unavailable"),
    ("unprocessed_petition", "1.信访举报投诉类申请", "unprocessed"),
    ("unprocessed_repeat", "2.重复申请", "unprocessed"),
    ("unprocessed_publication", "3.要求提供公开出版物", "unprocessed"),
    ("unprocessed_excessive", "4.无正当理由大量反复申请", "unprocessed"),
    ("unprocessed_confirmation", "5.要求行政机关确认或重新出具已获取信息", "unprocessed"),
    ("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other"),
    ("other_no_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other"),
    ("other_misc", "3.其他", "other"),
    ("other", "（六）其他处理", None),
    ("total_processed", "（七）总计", None),
    ("carried_forward", "四、结转下年度继续办理", None),
)
APPLICATION_ROW_LABELS = {k: label for k, label, _ in APPLICATION_ROWS}
# The printed headings of the groups the numbered sub-rows sit under.
GROUP_LABELS = {"denied": "（三）不予公开", "unavailable": "（四）无法提供", "unprocessed": "（五）不予处理",
                "other": "（六）其他处理"}
OTHER_2021 = ("other_no_correction", "other_no_fee", "other_misc")
RESULT_ROWS_2021 = tuple(k for k, _, _ in APPLICATION_ROWS[2:-2] if k != "other")
RESULT_ROWS_2019 = tuple(k for k, _, _ in APPLICATION_ROWS[2:-2] if k not in OTHER_2021)

# Rules for the *specific* label of a 表三 row (its last label cell). Order matters.
APPLICATION_ROW_RULES = (
    ("new_received", (("本年新收",), ("新收",))),
    ("carried_over", (("上年结转",),)),
    ("carried_forward", (("结转下年",), ("下年度继续",))),
    ("granted", (("予以公开",),)),
    ("partial", (("部分公开",),)),
    ("denied_state_secret", (("国家秘密",),)),
    ("denied_law_prohibited", (("其他法律",), ("法规禁止",), ("行政止公开",))),
    ("denied_three_security", (("三安全",), ("危及",))),
    ("denied_third_party", (("第三方",),)),
    ("denied_internal_affairs", (("内部事务",),)),
    ("denied_process_info", (("过程性",),)),
    ("denied_enforcement_file", (("执法案卷",),)),
    ("denied_query_matter", (("查询事项",),)),
    ("unavailable_not_held", (("不掌握",),)),
    ("unavailable_needs_creation", (("另行制作",), ("没有现成",))),
    ("unavailable_unclear", (("仍不明确",), ("补正后",))),
    ("unprocessed_petition", (("信访",),)),
    ("unprocessed_repeat", (("重复申请",),)),
    ("unprocessed_publication", (("出版",),)),
    ("unprocessed_excessive", (("大量反复",),)),
    ("unprocessed_confirmation", (("重新出具",), ("确认",))),
    ("other_no_correction", (("不补正",), ("逾期不补",))),
    ("other_no_fee", (("缴纳费用",), ("收费通知",))),
    ("total_processed", (("总计",),)),
    ("other", (("其他处理",),)),
)

# 表四 -----------------------------------------------------------------------------------------
REVIEW_ROWS = (
    ("review", "行政复议"),
    ("litigation_direct", "行政诉讼·未经复议直接起诉"),
    ("litigation_after_review", "行政诉讼·复议后起诉"),
)
REVIEW_COLUMNS = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)
REVIEW_PARTS = ("upheld", "corrected", "other", "pending")
REVIEW_COLUMN_RULES = (
    ("upheld", (("维持",),)),
    ("corrected", (("纠正",),)),
    ("other", (("其他",),)),
    ("pending", (("未审结",), ("审结",))),
    ("total", (("总计",), ("合计",))),
)
REVIEW_GROUP_RULES = (
    ("litigation_after_review", (("复议后",),)),
    ("litigation_direct", (("未经复议",), ("直接起诉",))),
    ("review", (("行政复议",),)),
)

# 表二 -----------------------------------------------------------------------------------------
ACTIVE_ROWS = (
    ("rules", "规章"),
    ("normative_docs", "规范性文件"),
    ("licensing", "行政许可"),
    ("other_services", "其他对外管理服务事项"),
    ("punishment", "行政处罚"),
    ("enforcement", "行政强制"),
    ("fees", "行政事业性收费"),
    ("procurement", "政府集中采购"),
)
ACTIVE_ROW_RULES = (
    ("normative_docs", (("规范性文件",),)),
    ("rules", (("规章",),)),
    ("licensing", (("行政许可",),)),
    ("other_services", (("对外管理服务",), ("其他对外",))),
    ("punishment", (("行政处罚",),)),
    ("enforcement", (("行政强制",),)),
    ("fees", (("收费",),)),
    ("procurement", (("集中采购",), ("政府采购",))),
)
ACTIVE_COLUMNS = (
    ("issued", "本年制发件数"),
    ("abolished", "本年废止件数"),
    ("in_force", "现行有效件数"),
    ("made", "本年新制作数量"),
    ("published", "本年新公开数量"),
    ("total_published", "对外公开总数量"),
    ("previous", "上一年项目数量"),
    ("change", "本年增/减"),
    ("decisions", "处理决定数量"),
    ("amount", "金额"),
    ("projects", "采购项目数量"),
)
ACTIVE_COLUMN_RULES = (
    ("issued", (("制发",),)),
    ("abolished", (("废止",),)),
    ("in_force", (("现行有效",),)),
    ("made", (("新制作",),)),
    ("published", (("新公开",),)),
    ("total_published", (("公开总数",),)),
    ("previous", (("上一年",), ("上年项目",))),
    ("change", (("增",), ("减",))),
    ("decisions", (("处理决定",),)),
    ("amount", (("金额",),)),
    ("projects", (("项目数量",),)),
)
# Which columns each 表二 row carries, per template: used to tell the formats apart.
ACTIVE_2021 = {
    "rules": ("issued", "abolished", "in_force"),
    "normative_docs": ("issued", "abolished", "in_force"),
    "licensing": ("decisions",),
    "punishment": ("decisions",),
    "enforcement": ("decisions",),
    "fees": ("amount",),
}
ACTIVE_2019 = {
    "rules": ("made", "published", "total_published"),
    "normative_docs": ("made", "published", "total_published"),
    "licensing": ("previous", "change", "decisions"),
    "other_services": ("previous", "change", "decisions"),
    "punishment": ("previous", "change", "decisions"),
    "enforcement": ("previous", "change", "decisions"),
    "fees": ("previous", "change"),
    "procurement": ("projects", "amount"),
}

COLUMN_LABELS = {
    "active": dict(ACTIVE_COLUMNS),
    "applications": dict(APPLICANT_COLUMNS),
    "reviews": dict(REVIEW_COLUMNS),
}
ROW_LABELS = {
    "active": dict(ACTIVE_ROWS),
    "applications": APPLICATION_ROW_LABELS,
    "reviews": dict(REVIEW_ROWS),
}


@lru_cache(maxsize=65536)
def match_rule(text: str, rules) -> str | None:
    """First key whose keyword alternatives all occur in ``text`` (already normalised)."""
    for key, alternatives in rules:
        for words in alternatives:
            if all(w in text for w in words):
                return key
    return None

APPLICANT_COLUMN_RULES = (
    ("natural_person", (("自然人",),)),
    ("commercial", (("商业",),)),
    ("research", (("科研",),)),
    ("social_welfare", (("公益",),)),
    ("legal_service", (("法律服务",), ("服务机构",))),
    ("total", (("总计",), ("合计",))),
    ("other_org", (("其他",),)),
)
