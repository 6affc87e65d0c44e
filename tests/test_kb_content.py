"""What the knowledge base says: coverage of every topic, checked facts, hedges, no leakage of the set kept
for measuring."""

from __future__ import annotations

import pytest

from handlers.texts import general
from knowledge import loader
from knowledge.evaluate import load_questions
from knowledge.normalize import normalize
from tests.conftest import QUESTION_SETS, UNSEEN_SET

KB = loader.load()


def _entry_for(topic: str) -> str:
    return "\n".join(e.answer for e in KB.entries if e.topic == topic)


def test_the_topic_list_is_the_one_the_question_sets_are_labelled_with() -> None:
    assert len(KB.topics) == len(set(KB.topics)) == 60
    labels = {topic for path in QUESTION_SETS for _question, topic in load_questions(path) if topic is not None}
    assert labels == set(KB.topics)  # every label is a topic, every topic is asked about


def test_every_topic_has_an_entry_with_a_source() -> None:
    covered = {e.topic for e in KB.entries if e.sources and e.answer}
    assert covered == set(KB.topics)


def test_no_question_of_the_unseen_set_is_copied_into_the_knowledge_base() -> None:
    unseen = {normalize(question) for question, _topic in load_questions(UNSEEN_SET)}
    phrasings = {normalize(p): e.id for e in KB.entries for p in (e.question, *e.alternates)}
    # written blind, it happened to ask one thing exactly as an alternate from the first knowledge base does
    assert sorted(set(phrasings) & unseen) == ["精河县为什么叫中国枸杞之乡"]


@pytest.mark.parametrize(("topic", "facts"), [
    ("patent-types-terms", ["20年", "10年", "15年", "申请日"]),
    ("tm-fees", ["270元", "300元", "27元", "30元"]),
    ("tm-renewal", ["10年", "12个月", "6个月"]),
    ("patent-annual-fee", ["6个月", "5%"]),
    ("patent-fee-reduction", ["85%", "70%", "5000元", "100万元"]),
    ("pledge-trademark", ["2个工作日", "不收"]),
    ("protect-damages", ["一倍以上五倍以下", "3万元", "500万元"]),
    ("service-ip-week", ["4月20日", "26日"]),
    ("plan-satisfaction", ["76.91", "85"]),
    ("gi-jinghe-goji", ["2002", "2012", "中国枸杞之乡"]),
])
def test_answers_carry_the_checked_facts(topic: str, facts: list[str]) -> None:
    answer = _entry_for(topic)
    for fact in facts:
        assert fact in answer, f"{topic} should say {fact}"


def _answer(entry_id: str) -> str:
    entry = KB.entry(entry_id)
    assert entry is not None, entry_id
    return entry.answer


def _sources(entry_id: str) -> str:
    entry = KB.entry(entry_id)
    assert entry is not None, entry_id
    return "；".join(entry.sources)


# The corrections of the 2026-12 legal audit, each as domain-facts.md states the fact.
@pytest.mark.parametrize(("entry_id", "facts", "never"), [
    # the plan: issued 2021-12-12, "完善" the risk compensation, % not 分, "——" baseline, 高价值 vs 有效
    ("pledge-plan-target", ["2021年12月12日印发", "完善自治州知识产权质押融资贷款风险补偿机制"],
     ["12月5日印发", "建立风险补偿"]),
    ("plan-main-targets", ["2021年12月12日印发", "76.91%→85%", "“——”", "有效发明专利拥有量", "高价值发明专利"],
     ["12月5日印发", "76.91分", "85分", "0→1"]),
    ("pledge-risk-subsidy", ["完善自治州知识产权质押融资贷款风险补偿机制"], ["建立知识产权质押融资风险补偿"]),
    ("pledge-interest-subsidy", ["完善自治州知识产权质押融资贷款风险补偿机制"], ["建立质押融资风险补偿"]),
    ("hubei-aid", ["加强与湖北省知识产权合作交流，形成独具特色知识产权优势产业和合作机制",
                   "积极与湖北省对接知识产权援疆项目，努力打造工作亮点"], ["人才培训、专家指导", "信息服务"]),
    ("hubei-aid-expert", ["加强与湖北省知识产权合作交流"], ["提出借助湖北援疆，在知识产权人才培训"]),
    ("plan-key-tasks", ["“三合一”审判机制改革"], ["试点"]),
    ("patent-navigation-what", ["加强专利导航推广应用"], ["重点产业"]),
    ("gi-targets", ["“——”"], ["0个→1个"]),
    ("satisfaction-national-scores", ["76.91%", "85%", "已结束"], ["76.91分", "85分"]),
    ("tm-agri-model", ["龙头企业（合作社）+地理标志商标/农产品商标+基地+农户"], []),
    # patents and pledges
    ("patent-licence-filing", ["自合同生效之日起3个月内"], ["订立之日起3个月"]),
    ("pledge-transfer-during", ["自合同生效之日起3个月内"], ["订立之日起3个月"]),
    ("patent-lapsed-unpaid", ["收到国家知识产权局通知之日起2个月内", "恢复权利", "第六条第二款"], ["没有经过核实"]),
    ("pledge-refused-what-next", ["2个月内请求恢复权利"], ["已终止的无法再质押，只能换用"]),
    ("patent-annual-fee-late", ["1个月内补缴的，不收滞纳金", "5%", "10%", "15%", "20%", "25%", "最多25%"],
     ["每超过规定缴费时间1个月"]),
    ("pledge-annual-fee-during", ["最多25%"], ["每超过1个月加收"]),
    ("patent-open-licence-fee", ["15%", "财税〔2024〕23号"], ["没有经过核实的数字"]),
    ("patent-open-licence", ["专利许可期限", "商业性宣传用语"], []),
    ("patent-term-compensation", ["200元", "8000元"], []),
    ("patent-drug-term-extension", ["8000元"], []),
    ("patent-fee-cut", ["财税〔2016〕78号", "财税〔2018〕37号", "财税〔2019〕45号", "2018年8月1日"], []),
    ("patent-how-long", ["2023年约16个月", "2024年约15.5个月"], []),
    ("pledge-term-vs-expiry", ["2029年5月9日"], ["同月同日"]),
    ("pledge-co-owned", ["除全体共有人另有约定的以外"], []),
    ("pledge-fees", ["第一百一十条", "不收官方费用"], []),
    ("pledge-trademark-registration", ["承诺书", "为准"], []),
    ("complaint-who-handles", ["自治州"], ["设区的市"]),
    ("admin-ruling-what", ["自治州"], ["设区的市"]),
    ("admin-ruling-where", ["自治州", "未经核实"], ["设区的市"]),
    # trademarks
    ("tm-refused-what-next", ["15日内"], ["以驳回通知书写明的为准"]),
    ("tm-how-long", ["9个月内", "约4个月"], ["没有一个固定的天数"]),
    ("tm-unregistered-use", ["原使用范围内继续使用", "第五十九条第三款", "第七条"], []),
    ("tm-squatted-what-to-do", ["原使用范围内继续使用"], []),
    ("tm-infringement-what", ["《反不正当竞争法》第七条"], []),
    ("tm-expired", ["1年内", "第五十条"], []),
    ("tm-renewal-rules", ["500元", "450元", "250元", "225元", "为准"], []),
    ("tm-licence-filing", ["不得对抗善意第三人"], ["备案后才能合法使用"]),
    ("gi-jinghe-goji-licence", ["不得对抗善意第三人"], ["经许可并备案的使用人，才是合法使用人"]),
    # geographical indications and e-commerce
    ("gi-product-conditions", ["长期持续使用，被公众普遍知晓", "全部生产环节或者主要生产环节", "自然因素", "人文因素"],
     ["名称在当地有实际使用"]),
    ("gi-routes-compare", ["2022年起已停止新的登记", "并不等于它已获得地理标志产品保护"], []),
    ("gi-two-products-apply", ["2022年起已不再受理新的登记", "市场监督管理局"], ["也可向农业农村部门了解"]),
    ("gi-two-products-what", ["2022年起已停止新的登记"], []),
    ("gi-jinghe-goji-marks", ["2022年起已停止新的登记", "中欧地理标志协定"], []),
    ("gi-national-count", ["截至2025年底", "5066个", "7425件"], ["2508", "2544"]),
    ("ecommerce-platform-liability", ["第四十五条", "知道或者应当知道", "不限于“扩大部分”"],
     ["而不是全部损失"]),
])
def test_audit_corrections_state_the_checked_fact(entry_id: str, facts: list[str], never: list[str]) -> None:
    answer = _answer(entry_id)
    for fact in facts:
        assert fact in answer, f"{entry_id} should say {fact}"
    for claim in never:
        assert claim not in answer, f"{entry_id} should no longer say {claim}"


@pytest.mark.parametrize(("entry_id", "cited"), [
    ("patent-licence-filing", "第十五条第二款"),
    ("patent-lapsed-unpaid", "第六条第二款"),
    ("patent-open-licence-fee", "财税〔2024〕23号"),
    ("patent-apply-cost", "财税〔2019〕45号"),
    ("patent-fee-cut-who", "财税〔2019〕45号"),
    ("tm-collective-how-apply", "国家知识产权局令第79号"),
    ("gi-product-conditions", "第三条"),
    ("ecommerce-platform-liability", "第四十五条"),
    ("pledge-plan-target", "2021年12月12日印发"),
])
def test_sources_cite_the_corrected_article(entry_id: str, cited: str) -> None:
    assert cited in _sources(entry_id)


def test_the_corrected_plan_answers_say_the_plan_has_ended() -> None:
    for entry in KB.entries:
        if "规划" in entry.answer and entry.updated.isoformat() == "2026-12-07":
            assert "已结束" in entry.answer or "已经结束" in entry.answer or "年结束" in entry.answer, entry.id


def test_no_entry_repeats_a_corrected_claim() -> None:
    for entry in KB.entries:
        for claim in ("12月5日印发", "设区的市级部门", "设区的市级知识产权部门", "自合同订立之日", "76.91分",
                      "审判试点", "每超过1个月加收", "由0个", "0个→1个", "的0个"):
            assert claim not in entry.answer, f"{entry.id}: {claim}"


@pytest.mark.parametrize("topic", ["pledge-time", "patent-fee-reduction", "gi-logo-use"])
def test_unverified_facts_are_hedged(topic: str) -> None:
    assert "以" in _entry_for(topic) and "为准" in _entry_for(topic)


def test_no_demonstration_zone_is_claimed_to_exist() -> None:
    """Whether the plan's GI protection demonstration zone has been built is the bureau's to say: the answers
    claim neither that it exists nor that it does not, and refer to the bureau."""
    answer = _entry_for("gi-demo-zone")
    for claim in ("已建成", "已经建成", "已于", "还没有", "尚未", "没有建成", "未建成", "没建成"):
        assert claim not in answer, f"gi-demo-zone should not say {claim}"
    assert "不作判断" in answer
    assert "市场监督管理局" in answer and "为准" in answer


def test_no_local_subsidy_amounts_are_invented() -> None:
    for topic in ("service-support", "pledge-risk-compensation"):
        answer = _entry_for(topic)
        assert "万元" not in answer and "%" not in answer


def test_the_satisfaction_survey_is_not_called_the_national_index() -> None:
    assert "不是全国指数" in _entry_for("plan-satisfaction")


def test_example_buttons_point_at_real_entries() -> None:
    for _label, entry_id in general.EXAMPLES:
        assert KB.entry(entry_id) is not None


def test_every_entry_has_at_least_twelve_ways_people_ask() -> None:
    from knowledge import loader

    short = [(e.id, len(e.alternates)) for e in loader.load().entries if len(e.alternates) < 12]
    assert short == []
