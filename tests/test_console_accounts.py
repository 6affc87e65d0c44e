"""`ipbot staff` and linked chat ids: accounts made on the command line sign in to the console, and a chat id
linked to an enabled account is staff in chat (until the account is disabled)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy.orm import Session, sessionmaker

from bot.console import accounts
from bot.core.clock import system_clock
from bot.core.messages import Incoming
from handlers.router import Router
from knowledge.service import KnowledgeService
from tests.cli_runner import ipbot
from tests.helpers import XSRF, free_port


def test_staff_accounts_from_the_command_line(tmp_path: Path) -> None:
    env = {"IPBOT_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    added = ipbot("staff", "add", "zhang", "--role", "admin", stdin="first-password\n", env=env)
    assert added.returncode == 0 and "zhang (admin) added" in added.stdout
    assert ipbot("staff", "add", "li", stdin="second-password\n", env=env).returncode == 0
    assert ipbot("staff", "link", "zhang", "telegram:123", env=env).returncode == 0
    assert ipbot("staff", "link", "li", "wecom:lisi", env=env).returncode == 0
    listed = json.loads(ipbot("staff", "list", "--json", env=env).stdout)
    assert listed == [{"name": "li", "role": "staff", "disabled": False, "links": ["wecom:lisi"]},
                      {"name": "zhang", "role": "admin", "disabled": False, "links": ["telegram:123"]}]
    assert "zhang\tadmin\tenabled\ttelegram:123" in ipbot("staff", "list", env=env).stdout
    assert ipbot("staff", "disable", "li", env=env).returncode == 0
    assert "li\tstaff\tdisabled" in ipbot("staff", "list", env=env).stdout
    assert ipbot("staff", "passwd", "zhang", stdin="a-new-password\n", env=env).returncode == 0
    for args, stdin, says in ((("add", "zhang"), "whatever-pass\n", "已经存在"),
                              (("add", "wu"), "short\n", "至少 8 个"),
                              (("passwd", "ghost"), "long-enough-1\n", "没有账号 ghost"),
                              (("link", "zhang", "telegram:123"), "", "已经关联到账号 zhang"),
                              (("link", "zhang", "123"), "", "不是聊天账号"), (("disable", "ghost"), "", "没有账号")):
        result = ipbot("staff", *args, stdin=stdin, env=env)
        assert result.returncode == 2 and says in result.stderr and "Traceback" not in result.stderr, args
    wrong_role = ipbot("staff", "add", "wu", "--role", "boss", stdin="long-enough-1\n", env=env)
    assert wrong_role.returncode == 2 and "invalid choice" in wrong_role.stderr


def test_a_linked_chat_id_is_staff_in_chat_until_the_account_is_disabled(
        knowledge: KnowledgeService, sessions: sessionmaker[Session]) -> None:
    router = Router(knowledge, sessions)
    router.linked_staff.refresh = 0  # read the links at every message (ipbot run: every 10 s)

    def stats(user: str) -> str:
        return router.handle(Incoming("telegram", user, user, text="/stats"))[0].text

    refused = stats("123")
    assert "只对工作人员开放" in refused
    with sessions.begin() as session:
        accounts.add(session, "zhang", "staff", "long-enough-1", system_clock())
        accounts.link(session, "zhang", "telegram:123", system_clock())
    allowed = stats("123")
    assert allowed != refused and "7" in allowed
    assert stats("456") == refused  # not linked
    with sessions.begin() as session:
        accounts.set_disabled(session, "zhang", True)
    assert stats("123") == refused


def test_ipbot_run_with_no_channel_serves_the_console_alone(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "IPBOT_DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "IPBOT_HTTP_LISTEN": f"127.0.0.1:{port}"}
    for name in ("IPBOT_TELEGRAM_TOKEN", "IPBOT_WECOM_CORP_ID"):
        env.pop(name, None)
    added = ipbot("staff", "add", "boss", "--role", "admin", stdin="long-enough-1\n",
                  env={"IPBOT_DATABASE_URL": env["IPBOT_DATABASE_URL"]})
    assert added.returncode == 0, added.stderr
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert "只启动网页工作台" in first and f"http://127.0.0.1:{port}/console/" in first
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            for _ in range(100):
                try:
                    form = client.get("/console/login")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            token = XSRF.search(form.text).group(1)  # type: ignore[union-attr]
            signed = client.post("/console/login", data={"_xsrf": token, "username": "boss",
                                                         "password": "long-enough-1"}, follow_redirects=True)
            assert signed.status_code == 200 and ">账号</a>" in signed.text
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode == 0


def test_ipbot_run_says_plainly_when_its_port_is_taken(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "IPBOT_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
               "IPBOT_HTTP_LISTEN": f"127.0.0.1:{port}"}
        for name in ("IPBOT_TELEGRAM_TOKEN", "IPBOT_WECOM_CORP_ID"):
            env.pop(name, None)
        done = subprocess.run([sys.executable, "-m", "bot.cli", "run"], cwd=tmp_path, env=env, text=True,
                              capture_output=True, timeout=60, check=False)
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "IPBOT_HTTP_LISTEN" in done.stderr
    assert "Traceback" not in done.stderr
