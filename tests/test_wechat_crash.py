"""Crash safety on WeChat: a real `ipbot run` with WeChat's settings takes a message in and answers WeChat
`success`; it is killed with SIGKILL while the answer is on its way (the WeChat API double holds the
customer-service send, which never arrives); after the restart the answer arrives (tests/test_crash.py does
the same for Telegram and WeCom, with the same helpers)."""

from __future__ import annotations

import urllib.request
from pathlib import Path

from tests.doubles.wechat_api import AES_KEY, APP_ID, APP_SECRET, TOKEN, WeChatDouble, WeChatServer
from tests.helpers import BotProcess, free_port

LEASE = "3"  # seconds before a message left 'sending' by the killed process is sent again (30 in production)


def test_a_wechat_message_acknowledged_before_a_kill_is_answered_after_the_restart(
        database_url: str, tmp_path: Path) -> None:
    port = free_port()
    with WeChatDouble() as double:
        env = {"IPBOT_DATABASE_URL": database_url, "IPBOT_HTTP_LISTEN": f"127.0.0.1:{port}",
               "IPBOT_WECHAT_APP_ID": APP_ID, "IPBOT_WECHAT_APP_SECRET": APP_SECRET, "IPBOT_WECHAT_TOKEN": TOKEN,
               "IPBOT_WECHAT_AES_KEY": AES_KEY, "IPBOT_WECHAT_API_BASE_URL": double.base_url,
               "IPBOT_OUTBOX_CLAIM_LEASE_SECONDS": LEASE}
        wechat = WeChatServer(f"http://127.0.0.1:{port}/wechat/callback")

        def serving() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=0.5) as response:
                    return bool(response.status == 200)
            except OSError:
                return False

        double.hold_custom.set()
        first = BotProcess(env, tmp_path, serving)
        try:
            assert wechat.says("oCrash", "商标到期了怎么续展").body == "success"
            double.wait_for_calls(1, timeout=30)  # the answer is being sent, and held
        finally:
            first.kill()
        double.drop_held()
        assert double.messages == []  # it never arrived
        second = BotProcess(env, tmp_path, serving)
        try:
            double.wait_for_text("oCrash", "宽展期", timeout=60)
        finally:
            second.stop()
        assert [m.touser for m in double.messages if "宽展期" in m.text] == ["oCrash"]
