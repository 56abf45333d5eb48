"""Sealed secrets: a secret crosses Kafka only encrypted with a key both ends hold in their settings.

The gateway seals what a user types (the SMTP password, a webhook's signing secret) with ``seal`` and
never stores it; the notifier stores the sealed text and unseals it only at the moment it signs or
logs in. The key is a setting of both services (``PFD_GATEWAY_NOTIFICATIONS__SEAL_KEY`` and
``PFD_NOTIFIER_SEAL_KEY``, the same random string of at least ``MIN_KEY_LENGTH`` characters);
its development default is refused in production. Fernet = AES-128-CBC + HMAC-SHA256, authenticated.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from pydantic import SecretStr

DEV_SEAL_KEY = "pfd-dev-seal-key-not-for-production-use"  # noqa: S105 - refused in production
MIN_KEY_LENGTH = 32


class SealError(ValueError):
    """The sealed text was not sealed with this key (or was altered)."""


def _fernet(key: SecretStr) -> Fernet:
    material = key.get_secret_value().encode()
    if len(material) < MIN_KEY_LENGTH:
        raise SealError(f"the seal key must be at least {MIN_KEY_LENGTH} characters")
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(material).digest()))


def seal(key: SecretStr, secret: str) -> str:
    """The secret encrypted and authenticated with ``key`` (printable, safe to put in an event)."""
    return _fernet(key).encrypt(secret.encode()).decode()


def unseal(key: SecretStr, sealed: str) -> str:
    """The secret back; ``SealError`` when the key differs or the text was changed."""
    try:
        return _fernet(key).decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise SealError("the secret was sealed with another key or altered") from exc
