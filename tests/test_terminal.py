"""The console channel: buttons become numbers the user can type."""

from __future__ import annotations

import io

import pytest

from bot.channels.terminal import TerminalChannel, render
from bot.core.messages import Button, Incoming, Reply


def test_buttons_are_numbered_across_rows() -> None:
    reply = Reply("答案", ((Button("甲", "a:1"),), (Button("有用", "f:1:y"), Button("没用", "f:1:n"))))
    text, payloads = render(reply)
    assert text.splitlines() == ["答案", "  [1] 甲", "  [2] 有用   [3] 没用"]
    assert payloads == ["a:1", "f:1:y", "f:1:n"]


def _run(lines: str) -> tuple[str, list[Incoming]]:
    seen: list[Incoming] = []

    def handle(incoming: Incoming) -> list[Reply]:
        seen.append(incoming)
        return [Reply("好", ((Button("选我", "a:x"),),))]

    out = io.StringIO()
    TerminalChannel(handle, io.StringIO(lines), out, interactive=False).run()
    return out.getvalue(), seen


def test_typing_a_number_presses_that_button() -> None:
    _out, seen = _run("1\n")
    assert seen[-1].payload == "a:x" and seen[-1].text is None


def test_a_number_not_on_screen_is_explained_not_sent() -> None:
    out, seen = _run("7\n")
    assert "没有编号为7的选项" in out
    assert len(seen) == 1  # only the greeting


def test_long_numbers_are_questions_not_choices() -> None:
    _out, seen = _run("12315\n")
    assert seen[-1].text == "12315"


@pytest.mark.parametrize("word", ["退出", "exit", "QUIT", "/quit", "q"])
def test_a_quit_word_ends_the_chat_and_nothing_after_it_is_sent(word: str) -> None:
    out, seen = _run(f"商标怎么注册\n{word}\n这句不会被发送\n")
    assert [i.text for i in seen] == ["你好", "商标怎么注册"]  # the greeting, the question, nothing after
    assert out.rstrip().endswith("再见！")


def test_the_end_of_input_ends_the_chat() -> None:
    out, seen = _run("商标怎么注册\n")
    assert [i.text for i in seen] == ["你好", "商标怎么注册"] and out.rstrip().endswith("再见！")


def test_typing_a_button_label_presses_it() -> None:
    _out, seen = _run("选我\n")
    assert seen[-1].payload == "a:x"
