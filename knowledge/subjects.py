"""What a question is about, by the words that name it: a kind of right, pledge financing, a loan as such,
an aspect of a subject (cost, papers, time...), the prefecture's own geographical indication."""

from __future__ import annotations

from collections.abc import Set as AbstractSet

# The kinds of right a question may name, each by the words that name it.
RIGHTS: dict[str, frozenset[str]] = {
    "专利": frozenset({"专利", "发明", "实用新型", "外观设计"}),
    "商标": frozenset({"商标"}),
    "地理标志": frozenset({"地理标志"}),
}
# Pledge financing, by the words that ask about it: a question about it is rarely answered by an entry that
# never mentions it, and an entry whose question is about it rarely answers a question that is not.
PLEDGE = frozenset({"质押", "出质", "质权", "贷款", "融资"})
# ...but a loan or financing as such is no IP matter: beside no IP word these words do not make a question
# specific enough to answer (贷款, 什么是融资)
FINANCE = frozenset({"贷款", "融资", "银行", "银行贷款", "利率", "利息", "放款", "续贷"})
# What a question asks about a subject (its cost, papers, time, steps, place...), by canonical terms (see
# synonyms.yaml): an entry whose own question and keywords never name the aspect asked is rarely the answer.
ASPECTS = frozenset({"费用", "材料", "多长时间", "流程", "地点", "条件", "处罚", "赔偿", "转让", "续展", "保护期",
                     "驳回", "注销", "撤销", "评估", "诉讼", "调解", "取证", "举报", "投诉", "许可", "备案", "官费",
                     "目标"})
# The prefecture's own GI, by the words that name it: an entry whose question is about it rarely answers a
# question that never names it (地理标志有几种保护方式 is not about 精河枸杞's marks).
LOCAL_GI = frozenset({"精河枸杞", "精河"})
# what anyone asks of any loan (not 评估, 质押 …, which are of an IP pledge)
GENERIC_FOR_FINANCE = FINANCE | {"含义", "流程", "条件", "费用", "多长时间", "地点", "材料"}

_RIGHT_OF_WORD = {word: right for right, words in RIGHTS.items() for word in words}
# words that make a question about IP by themselves: a kind of right, or pledging (not finance as such)
IP_WORDS = frozenset(_RIGHT_OF_WORD).union(PLEDGE.difference(FINANCE))
_NO_RIGHTS: frozenset[str] = frozenset()


def rights_named(terms: AbstractSet[str]) -> frozenset[str]:
    """The kinds of right (RIGHTS' keys) that any of these terms names (each word names one kind)."""
    found = _RIGHT_OF_WORD.keys() & terms
    return frozenset(map(_RIGHT_OF_WORD.__getitem__, found)) if found else _NO_RIGHTS
