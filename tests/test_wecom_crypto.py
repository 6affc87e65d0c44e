"""WeCom callback crypto with WeCom's published test vector, round trips and tampering."""

from __future__ import annotations

import base64

import pytest

from bot.channels.wecom_crypto import WeComCrypto, WeComCryptoError, signature

TOKEN = "QDG6eK"
CORP_ID = "wx5823bf96d3bd56c7"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
ECHOSTR = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="


@pytest.fixture
def crypto() -> WeComCrypto:
    return WeComCrypto(TOKEN, AES_KEY, CORP_ID)


def test_the_published_url_check_vector(crypto: WeComCrypto) -> None:
    plain = crypto.verify_url("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014780", ECHOSTR)
    assert plain == "1616140317555161061"


def test_a_round_trip_with_chinese_and_a_length_needing_32_byte_padding(crypto: WeComCrypto) -> None:
    for message in ["", "专利质押登记要准备哪些材料", "<xml><Content><![CDATA[你好]]></Content></xml>" * 7, "x" * 31]:
        encrypted, sig = crypto.seal(message, "1700000000", "nonce")
        crypto.verify(sig, "1700000000", "nonce", encrypted)
        assert crypto.decrypt(encrypted) == message
        assert len(base64.b64decode(encrypted)) % 32 == 0


def test_a_bad_signature_is_refused(crypto: WeComCrypto) -> None:
    with pytest.raises(WeComCryptoError, match="signature"):
        crypto.verify_url("0" * 40, "1409659589", "263014780", ECHOSTR)


def test_another_corp_id_is_refused() -> None:
    other = WeComCrypto(TOKEN, AES_KEY, "wx0000000000000000")
    with pytest.raises(WeComCryptoError, match="corp id"):
        other.decrypt(ECHOSTR)


def test_tampered_ciphertext_is_refused(crypto: WeComCrypto) -> None:
    raw = bytearray(base64.b64decode(ECHOSTR))
    raw[-1] ^= 0x55
    with pytest.raises(WeComCryptoError):
        crypto.decrypt(base64.b64encode(bytes(raw)).decode())
    with pytest.raises(WeComCryptoError):
        crypto.decrypt("not base64 at all!!")
    with pytest.raises(WeComCryptoError):
        crypto.decrypt(base64.b64encode(b"short").decode())


def test_signature_is_sha1_of_the_sorted_parts() -> None:
    assert signature(TOKEN, "1409659589", "263014780", ECHOSTR) == "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"


def test_a_malformed_key_is_a_configuration_error() -> None:
    with pytest.raises(ValueError):
        WeComCrypto(TOKEN, "short", CORP_ID)
