"""The main menu and browsing questions by category."""

from __future__ import annotations

from tests.helpers import Person


def test_start_shows_the_main_menu(person: Person) -> None:
    person.says("/start")
    assert person.labels == ["问政策", "满意度调查", "提醒", "转人工", "我要举报"]


def test_browse_category_then_question_then_answer(person: Person) -> None:
    person.says("/start")
    person.presses("问政策")
    assert "商标" in person.labels and "地理标志" in person.labels
    person.presses("商标")
    renewal = next(label for label in person.labels if "续展" in label)  # one question for each topic
    assert person.labels[-1] == "返回类别" and len(person.labels) == len(set(person.labels))
    person.presses(renewal)
    assert "宽展期" in person.text
    person.says("/menu")
    assert "请选择类别" in person.text


def test_the_survey_button_says_when_no_wave_is_open(person: Person) -> None:
    person.says("/start")
    person.presses("满意度调查")
    assert "目前没有正在进行的满意度调查" in person.text


def test_an_unknown_command_is_explained(person: Person) -> None:
    person.says("/frobnicate")
    assert "没有这个命令" in person.text


def test_help_command(person: Person) -> None:
    person.says("/help")
    assert "我可以回答这些方面的问题" in person.text


def test_the_reminders_entry_explains_subscribing(person: Person) -> None:
    person.says("/start")
    person.presses("提醒")
    assert "/subscribe 商标" in person.text
