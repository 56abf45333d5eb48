"""Random secrets and their stored forms: session tokens, CSRF tokens, API keys, recovery codes, TOTP steps.

High-entropy secrets are stored as SHA-256 digests (a slow hash adds nothing at 256 bits and would cost
every request); CSRF tokens are derived from the session token so a cookie planted by another site fails.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp

TOKEN_BYTES = 32
KEY_PREFIX_BYTES = 4
API_KEY_MARK = "pfd"
RECOVERY_CODE_GROUPS = 4
RECOVERY_CODE_GROUP_LEN = 4
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CSRF_CONTEXT = b"pfd-csrf-v1"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def csrf_token_for(session_token: str) -> str:
    mac = hmac.new(session_token.encode(), CSRF_CONTEXT, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


@dataclass(frozen=True, slots=True)
class ApiKeyParts:
    prefix: str
    secret: str

    def render(self) -> str:
        return f"{API_KEY_MARK}_{self.prefix}_{self.secret}"


def new_api_key() -> ApiKeyParts:
    return ApiKeyParts(secrets.token_hex(KEY_PREFIX_BYTES), new_token())


def parse_api_key(key: str) -> ApiKeyParts | None:
    """``pfd_<prefix>_<secret>`` (the secret may itself contain underscores), else None."""
    mark, _, rest = key.partition("_")
    prefix, _, secret = rest.partition("_")
    if mark != API_KEY_MARK or len(prefix) != 2 * KEY_PREFIX_BYTES or not secret:
        return None
    return ApiKeyParts(prefix, secret)


def new_recovery_code() -> str:
    groups = ("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_GROUP_LEN))
              for _ in range(RECOVERY_CODE_GROUPS))
    return "-".join(groups)


def normalize_recovery_code(code: str) -> str:
    compact = "".join(ch for ch in code.lower() if ch.isalnum())
    size = RECOVERY_CODE_GROUP_LEN
    return "-".join(compact[i:i + size] for i in range(0, len(compact), size))


def totp_step(secret: str, code: str, now: datetime, valid_window: int) -> int | None:
    """The time step a TOTP code belongs to (within ``valid_window`` steps of now), else None."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    candidate = code.strip().replace(" ", "")
    for step in range(current - valid_window, current + valid_window + 1):
        if same(totp.generate_otp(step), candidate):
            return step
    return None
