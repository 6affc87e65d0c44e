"""What the public internet can send the HTTP server: headers on every response, no server version, odd
timestamps and header-breaking redirects refused plainly instead of a 500."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot.channels.wecom import WeComCallback
from bot.settings import Settings
from knowledge.service import KnowledgeService
from tests.helpers import RunningConsole

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


@pytest.fixture
def console(database_url: str, knowledge: KnowledgeService) -> Iterator[RunningConsole]:
    running = RunningConsole(database_url, knowledge)
    running.add_account("boss", "admin")
    try:
        yield running
    finally:
        running.stop()


@pytest.mark.parametrize("path", ["/healthz", "/console", "/console/static/console.css", "/console/login",
                                  "/no-such-page"])
def test_every_response_carries_the_security_headers_and_no_server_version(console: RunningConsole,
                                                                           path: str) -> None:
    answer = httpx.get(console.url + path, follow_redirects=False, timeout=10)
    assert answer.status_code in (200, 301, 302, 404)
    assert "server" not in answer.headers, answer.headers.get("server")
    for name in ("x-content-type-options", "x-frame-options", "content-security-policy", "referrer-policy",
                 "cache-control"):
        assert name in answer.headers, (path, name)
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]


def test_a_next_page_that_would_break_a_header_sends_to_the_console_home(console: RunningConsole) -> None:
    browser = console.client()
    browser.get("/console/login")
    answer = browser.post("/console/login?next=/console/%0D%0ASet-Cookie:%20injected=1",
                          {"username": "boss", "password": "correct-horse-1",
                           "next": "/console/\r\nSet-Cookie: injected=1"})
    assert answer.status_code == 302 and answer.headers["location"] == "/console/"
    assert "injected" not in answer.headers.get("set-cookie", "")


@pytest.mark.parametrize("stamp", ["²", "٣٤٥", "9" * 400, "9" * 5000, "-5", "", "1e9"])
def test_a_wecom_timestamp_that_is_not_a_plain_number_is_refused_not_a_500(stamp: str) -> None:
    callback = WeComCallback(Settings(wecom_corp_id="wwcorp", wecom_token="tok", wecom_aes_key=AES_KEY))
    query = {"msg_signature": "x", "nonce": "1", "timestamp": stamp, "echostr": "e"}
    assert callback.verify_url(query).status == 403
    assert callback.receive(query, b"<xml/>").status == 403


def test_a_csrf_token_planted_by_cookie_does_not_pass_once_signed_in(console: RunningConsole) -> None:
    """The probe's L2: a cookie `_xsrf=attacker-value` and the same value in the form passed before (tornado's
    double submit); signed in, the token is bound to the session now."""
    browser = console.client()
    assert browser.sign_in("boss").status_code == 302
    browser.http.cookies.set("_xsrf", "attacker-value-123", path="/console")
    forged = browser.post("/console/survey/open", {"name": "CSRFWAVE", "_xsrf": "attacker-value-123"}, csrf=False)
    assert forged.status_code == 403
    page = browser.page("/console/survey")  # the form's own token still works
    assert "CSRFWAVE" not in page
    cookie = httpx.get(console.url + "/console/login", timeout=10).headers.get("set-cookie", "")
    assert "_xsrf=" in cookie and "SameSite=Strict" in cookie and "Path=/console" in cookie


def test_the_csrf_cookie_is_secure_behind_https(console: RunningConsole) -> None:
    plain = httpx.get(console.url + "/console/login", timeout=10).headers.get("set-cookie", "")
    behind_tls = httpx.get(console.url + "/console/login", headers={"X-Forwarded-Proto": "https"},
                           timeout=10).headers.get("set-cookie", "")
    assert "_xsrf=" in plain and "Secure" not in plain  # plain http on the office's own machine
    assert "_xsrf=" in behind_tls and "Secure" in behind_tls
