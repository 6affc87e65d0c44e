"""The terminal channel (`ipbot chat`): the whole bot in a terminal, no token, no network.

Buttons are shown as numbered choices; typing the number presses the button.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from bot.core.messages import Address, Incoming, Reply

PROMPT = "你> "
QUIT_WORDS = frozenset({"exit", "quit", "/quit", "/exit", "退出", "q"})
WELCOME = "博州知识产权服务助手（终端）。输入问题回车即可，输入数字选择按钮，输入“退出”结束。"
ELSEWHERE = "控制台模式：这条消息会发给工作人员"
NO_SUCH_CHOICE = "没有编号为{number}的选项，请输入上面列出的数字，或者直接输入问题。"


def render(reply: Reply, first_number: int = 1) -> tuple[str, list[str]]:
    """The text to print and the payloads in the order of their numbers."""
    lines = [reply.text]
    payloads: list[str] = []
    for row in reply.buttons:
        cells = []
        for button in row:
            payloads.append(button.payload)
            cells.append(f"[{first_number + len(payloads) - 1}] {button.label}")
        lines.append("  " + "   ".join(cells))
    if reply.image is not None:
        lines.append(f"（图片：{reply.file_name or '附件'}，{len(reply.image)} 字节）")
    return "\n".join(lines), payloads


class TerminalChannel:
    def __init__(self, handle: Callable[[Incoming], list[Reply]], stdin: TextIO, stdout: TextIO,
                 user_id: str = "local", interactive: bool = True) -> None:
        self.handle = handle
        self.stdin = stdin
        self.stdout = stdout
        self.user_id = user_id
        self.interactive = interactive
        self.choices: list[str] = []
        self.labels: dict[str, str] = {}

    def incoming_for(self, line: str) -> Incoming | None:
        """The message a typed line stands for; None for a choice number that is not on screen.

        A number presses the button with that number; typing a button's label presses it too.
        """
        text = line.strip()
        if text in self.labels:
            return Incoming("terminal", self.user_id, self.user_id, payload=self.labels[text])
        if text.isascii() and text.isdigit() and len(text) <= 2:
            if 1 <= int(text) <= len(self.choices):
                return Incoming("terminal", self.user_id, self.user_id, payload=self.choices[int(text) - 1])
            return None
        return Incoming("terminal", self.user_id, self.user_id, text=line)

    def show(self, replies: list[Reply]) -> None:
        here = Address("terminal", self.user_id)
        elsewhere = [r for r in replies if r.to not in (None, here)]
        replies = [r for r in replies if r.to in (None, here)]
        for reply in elsewhere:
            self.stdout.write(f"（{ELSEWHERE}）{reply.text}\n\n")
        self.choices = []
        self.labels = {b.label: b.payload for r in replies for row in r.buttons for b in row}
        for reply in replies:
            body, payloads = render(reply, len(self.choices) + 1)
            self.choices.extend(payloads)
            self.stdout.write(f"助手> {body}\n\n")
        self.stdout.flush()

    def run(self) -> None:
        self.stdout.write(WELCOME + "\n\n")
        self.show(self.handle(Incoming("terminal", self.user_id, self.user_id, text="你好")))
        while True:
            if self.interactive:
                self.stdout.write(PROMPT)
                self.stdout.flush()
            try:
                line = self.stdin.readline()
            except KeyboardInterrupt:
                break
            except UnicodeDecodeError:
                line = "\ufffd\n"
            if not line:
                break
            if line.strip().lower() in QUIT_WORDS:
                break
            incoming = self.incoming_for(line.rstrip("\r\n"))
            if incoming is None:
                self.stdout.write(f"助手> {NO_SUCH_CHOICE.format(number=line.strip())}\n\n")
                continue
            self.show(self.handle(incoming))
        self.stdout.write("再见！\n")
        self.stdout.flush()
