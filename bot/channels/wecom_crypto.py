"""WeCom (企业微信) callback message crypto, as WeCom's WXBizMsgCrypt specifies.

Signature: SHA1 of the sorted token, timestamp, nonce and ciphertext. Body: AES-256-CBC with the key
decoded from the 43-character EncodingAESKey (plus '='), IV = the key's first 16 bytes, PKCS#7 padding to
32-byte blocks (a 16-byte unpadder would reject valid messages); plaintext = 16 random bytes, the message
length (4 bytes, big-endian), the message, and the receive id, which must equal the corp id.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32


class WeComCryptoError(ValueError):
    """A message that must not be processed: bad signature, bad padding, wrong receiver, malformed."""


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()


class WeComCrypto:
    def __init__(self, token: str, encoding_aes_key: str, corp_id: str) -> None:
        if len(encoding_aes_key) != 43:
            raise ValueError("the EncodingAESKey must be 43 characters")
        try:
            self.key = base64.b64decode(encoding_aes_key + "=")
        except binascii.Error as exc:
            raise ValueError("the EncodingAESKey is not valid base64") from exc
        if len(self.key) != 32:
            raise ValueError("the EncodingAESKey must decode to 32 bytes")
        self.token = token
        self.corp_id = corp_id

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def verify(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> None:
        expected = signature(self.token, timestamp, nonce, encrypted)
        if not hmac.compare_digest(expected, msg_signature.lower()):
            raise WeComCryptoError("bad signature")

    def decrypt(self, encrypted: str) -> str:
        try:
            data = base64.b64decode(encrypted, validate=True)
        except binascii.Error as exc:
            raise WeComCryptoError("ciphertext is not base64") from exc
        if not data or len(data) % 16:
            raise WeComCryptoError("ciphertext length is not a multiple of the AES block")
        decryptor = self._cipher().decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise WeComCryptoError("bad padding")
        body = plain[16:-pad]
        if len(body) < 4:
            raise WeComCryptoError("message too short")
        (length,) = struct.unpack(">I", body[:4])
        message, receiver = body[4:4 + length], body[4 + length:]
        if len(message) != length:
            raise WeComCryptoError("message length does not match")
        if receiver.decode("utf-8", "replace") != self.corp_id:
            raise WeComCryptoError("receive id is not our corp id")
        try:
            return message.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise WeComCryptoError("message is not UTF-8") from exc

    def encrypt(self, message: str, random: bytes | None = None) -> str:
        body = message.encode("utf-8")
        plain = (random or os.urandom(16)) + struct.pack(">I", len(body)) + body + self.corp_id.encode()
        pad = BLOCK - len(plain) % BLOCK
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """The GET check WeCom sends when the callback URL is saved: returns the plaintext to echo."""
        self.verify(msg_signature, timestamp, nonce, echostr)
        return self.decrypt(echostr)

    def seal(self, message: str, timestamp: str, nonce: str) -> tuple[str, str]:
        """Encrypt a reply: (ciphertext, its signature)."""
        encrypted = self.encrypt(message)
        return encrypted, signature(self.token, timestamp, nonce, encrypted)


MAX_SKEW = 300  # seconds a callback's timestamp may differ from our clock


def fresh(stamp: str, now: float) -> bool:
    """A callback's timestamp within MAX_SKEW of `now`: ASCII digits only ('²' is a digit to str.isdigit) and
    no longer than a timestamp is (WeCom's and WeChat's callbacks alike)."""
    return stamp.isascii() and stamp.isdigit() and len(stamp) <= 12 and abs(now - int(stamp)) <= MAX_SKEW
