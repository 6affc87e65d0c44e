"""The WeCom API client against the double: markdown and text, token cache, errors translated for the outbox."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from bot.channels.wecom_api import RobotClient, WeComClient
from bot.core.delivery import PermanentFailure, TemporaryFailure
from tests.doubles.wecom_api import AGENT_ID, CORP_ID, SECRET, WeComDouble


@pytest.fixture
def double() -> Iterator[WeComDouble]:
    with WeComDouble() as running:
        yield running


def test_markdown_and_text_with_one_token(double: WeComDouble) -> None:
    async def go() -> None:
        client = WeComClient(double.base_url, CORP_ID, SECRET, AGENT_ID)
        await client.send("zhangsan", {"msgtype": "markdown", "markdown": {"content": "**商标续展**：还有30天"}})
        await client.send("zhangsan", {"msgtype": "text", "text": {"content": "你好"}})
        await client.close()

    asyncio.run(go())
    assert [(m.msgtype, m.touser) for m in double.messages] == [("markdown", "zhangsan"), ("text", "zhangsan")]
    assert double.token_fetches == 1


def test_wrong_secret_and_unknown_member_are_permanent(double: WeComDouble) -> None:
    async def go() -> None:
        with pytest.raises(PermanentFailure, match="40001"):
            await WeComClient(double.base_url, CORP_ID, "wrong", AGENT_ID).send("a", {"msgtype": "text",
                                                                                      "text": {"content": "x"}})
        with pytest.raises(PermanentFailure, match="44004"):
            await WeComClient(double.base_url, CORP_ID, SECRET, AGENT_ID).send(
                "a", {"msgtype": "text", "text": {"content": "长" * 1000}})

    asyncio.run(go())


def test_an_unreachable_server_and_a_busy_robot_are_worth_retrying(double: WeComDouble) -> None:
    async def go() -> None:
        with pytest.raises(TemporaryFailure, match="unreachable"):
            await WeComClient("http://127.0.0.1:9", CORP_ID, SECRET, AGENT_ID).token()
        robot = RobotClient(double.robot_url)
        for n in range(20):
            await robot.send({"msgtype": "text", "text": {"content": f"通知{n}"}})
        with pytest.raises(TemporaryFailure) as busy:
            await robot.send({"msgtype": "text", "text": {"content": "第21条"}})
        assert busy.value.retry_after == 60.0
        await robot.close()

    asyncio.run(go())
    assert len(double.robot) == 20
