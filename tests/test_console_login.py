"""Signing in under attack: nobody locks a colleague out, a proxy's clients are told apart only when the proxy
is trusted, concurrent guesses are counted exactly, and the password check holds no database writer."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select

from bot.core.models import LoginFailure
from knowledge.service import KnowledgeService
from tests.helpers import Browser, RunningConsole


@pytest.fixture
def console(database_url: str, knowledge: KnowledgeService) -> Iterator[RunningConsole]:
    running = RunningConsole(database_url, knowledge, trusted_proxies="127.0.0.1")
    running.add_account("boss", "admin")
    running.add_account("clerk")
    try:
        yield running
    finally:
        running.stop()


def _from(console: RunningConsole, address: str) -> Browser:
    browser = console.client()
    browser.http.headers["X-Forwarded-For"] = address  # as the office's reverse proxy reports its client
    return browser


def test_wrong_passwords_for_a_name_from_elsewhere_only_delay_the_real_user(console: RunningConsole) -> None:
    attacker = _from(console, "203.0.113.9")
    codes = [attacker.sign_in("boss", f"guess-{n}").status_code for n in range(6)]
    assert codes == [401] * 5 + [429]  # this address is done guessing boss
    real = _from(console, "198.51.100.20")
    deadline = time.monotonic() + 30
    answer = real.sign_in("boss")
    while answer.status_code == 429 and time.monotonic() < deadline:  # a short wait, never a lockout
        time.sleep(0.2)
        answer = real.sign_in("boss")
    assert answer.status_code == 302


def test_a_proxys_clients_are_counted_apart_only_when_the_proxy_is_trusted(
        database_url: str, knowledge: KnowledgeService) -> None:
    untrusted = RunningConsole(database_url, knowledge)  # no IPBOT_TRUSTED_PROXIES: the header is ignored
    untrusted.add_account("clerk")
    try:
        for n in range(5):
            assert _from(untrusted, f"192.0.2.{n}").sign_in("clerk", "wrong-one").status_code == 401
        assert _from(untrusted, "192.0.2.99").sign_in("clerk", "wrong-one").status_code == 429  # one address
        with untrusted.sessions() as session:
            addresses = set(session.scalars(select(LoginFailure.address)))
        assert addresses == {"127.0.0.1"}
    finally:
        untrusted.stop()


def test_behind_a_trusted_proxy_each_client_has_its_own_count(console: RunningConsole) -> None:
    for n in range(5):
        assert _from(console, f"192.0.2.{n}").sign_in(f"nobody{n}", "wrong-one").status_code == 401
    assert _from(console, "192.0.2.50").sign_in("clerk").status_code == 302
    with console.sessions() as session:
        assert set(session.scalars(select(LoginFailure.address))) == {f"192.0.2.{n}" for n in range(5)}


def test_concurrent_guesses_check_at_most_five_passwords(console: RunningConsole) -> None:
    """On PostgreSQL the count and the record are one locked step (40 at once gave 10 checks before)."""
    def guess(n: int) -> int:
        browser = _from(console, "203.0.113.77")
        return browser.sign_in("boss", f"wrong-{n}").status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(guess, range(40)))
    assert codes.count(401) == 5 and codes.count(429) == 35
    with console.sessions() as session:
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 5


def test_a_right_password_leaves_no_failure_behind(console: RunningConsole) -> None:
    assert _from(console, "198.51.100.1").sign_in("clerk").status_code == 302
    with console.sessions() as session:
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 0
    assert httpx.get(console.url + "/healthz", timeout=10).text == "ok"


def test_look_alike_names_are_one_account(console: RunningConsole) -> None:
    from bot.console import accounts

    with console.sessions.begin() as session:
        for variant in ("Boss", "ｂｏｓｓ", " BOSS "):
            with pytest.raises(accounts.AccountError):
                accounts.add(session, variant, "staff", "another-pass-1", dt.datetime.now(dt.UTC))
    assert _from(console, "198.51.100.7").sign_in("ＢＯＳＳ").status_code == 302  # the same person, typed wide
    attacker = _from(console, "203.0.113.10")
    codes = [attacker.sign_in(name, "wrong-pass") .status_code for name in ("boss", "Boss", "ｂｏｓｓ", "BOSS",
                                                                             "bOss", "boSS")]
    assert codes == [401] * 5 + [429]  # variants share one count
