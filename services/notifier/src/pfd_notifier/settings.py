"""Notifier settings (env prefix PFD_NOTIFIER_).

The SMTP server can be configured here (``PFD_NOTIFIER_SMTP__*``) or on the admin's Email configuration page;
a configuration saved on the page wins. ``seal_key`` must equal the gateway's
``PFD_GATEWAY_NOTIFICATIONS__SEAL_KEY``: secrets typed into the dashboard reach the notifier sealed with it.
"""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network
from typing import ClassVar

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from pfd_shared.events.notifications import TlsMode
from pfd_shared.sealing import DEV_SEAL_KEY, MIN_KEY_LENGTH
from pfd_shared.settings import ServiceSettings


class SmtpSettings(BaseModel):
    """The SMTP server used until an admin saves one on the Email configuration page."""

    host: str | None = Field(default=None, description="None: email is off until configured.")
    port: int = Field(default=587, ge=1, le=65535)
    tls_mode: TlsMode = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    from_address: str = "pfd@localhost"
    timeout_s: float = Field(default=15.0, gt=0, description="Connect and command timeout.")
    validate_certs: bool = True


class WebhookSettings(BaseModel):
    """Webhook deliveries: timeouts, retries, disabling, and the SSRF guard."""

    timeout_s: float = Field(default=10.0, gt=0, description="Whole request timeout.")
    max_attempts: int = Field(default=6, ge=1, description="Attempts per delivery before it is given up.")
    backoff_initial_s: float = Field(default=30.0, gt=0, description="Delay after the first failure; doubles.")
    backoff_max_s: float = Field(default=3600.0, gt=0)
    disable_after: int = Field(default=10, ge=1, description="Consecutive failed attempts that disable a webhook.")
    allowed_networks: list[IPv4Network | IPv6Network] = Field(
        default_factory=list, description="JSON list of CIDRs that may be targeted although private/loopback.")
    error_excerpt_chars: int = Field(default=200, ge=0, description="Response text kept in a failure's message.")


class EmailSettings(BaseModel):
    """Email deliveries: retries."""

    max_attempts: int = Field(default=4, ge=1)
    backoff_initial_s: float = Field(default=60.0, gt=0)
    backoff_max_s: float = Field(default=3600.0, gt=0)


class DispatchSettings(BaseModel):
    """The background dispatcher that sends due deliveries and digests."""

    poll_interval_s: float = Field(default=2.0, gt=0, description="Longest wait before looking for due work.")
    batch_size: int = Field(default=50, ge=1, description="Deliveries claimed at once.")
    concurrency: int = Field(default=10, ge=1, description="Deliveries sent at the same time.")
    lease_s: float = Field(default=300.0, gt=0, description="A claimed delivery is retried after this if unfinished.")
    digest_check_interval_s: float = Field(default=60.0, gt=0, description="How often due digests are looked for.")


class NotifierSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PFD_NOTIFIER_", env_nested_delimiter="__", extra="ignore")

    uses_object_store: ClassVar[bool] = False

    service_name: str = "notifier"
    seal_key: SecretStr = Field(default=SecretStr(DEV_SEAL_KEY), min_length=MIN_KEY_LENGTH,
                                description="Same value as the gateway's notifications.seal_key.")
    dashboard_url: str = Field(default="http://127.0.0.1:8000", description="Links in emails point here.")
    smtp: SmtpSettings = SmtpSettings()
    webhooks: WebhookSettings = WebhookSettings()
    email: EmailSettings = EmailSettings()
    dispatch: DispatchSettings = DispatchSettings()

    def development_secrets_in_use(self) -> list[str]:
        problems = super().development_secrets_in_use()
        if self.seal_key.get_secret_value() == DEV_SEAL_KEY:
            problems.append("seal_key is the development default")
        return problems
