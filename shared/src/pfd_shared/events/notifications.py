"""Notification events: the gateway's requests (commands, on behalf of the envelope's owner) and the
notifier's facts (notifications created, deliveries, configuration saved), which the gateway projects.

Secrets never travel in clear: the SMTP password and a webhook's signing secret are sealed with
``pfd_shared.sealing`` (``*_sealed`` fields). Per-user events are keyed by user_id (one user's requests stay in
order); webhook events by webhook_id; the SMTP configuration by the constant ``SMTP_CONFIG_KEY``.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from pfd_shared import topics
from pfd_shared.events.envelope import EventPayload

Channel = Literal["in_app", "email", "webhook"]
DeliveryMode = Literal["immediate", "digest"]
DigestFrequency = Literal["off", "daily", "weekly"]
TlsMode = Literal["none", "starttls", "tls"]
EmailKind = Literal["notification", "digest", "test"]
Level = Literal["info", "success", "warning", "danger"]
SMTP_CONFIG_KEY = "smtp"
MAX_URL_LENGTH = 2000
WEBHOOK_SCHEMES = ("http", "https")
_ID = {"min_length": 1, "max_length": 64, "pattern": r"^[A-Za-z0-9][A-Za-z0-9_-]*$"}
_EMAIL = {"min_length": 3, "max_length": 320, "pattern": r"^[^@\s]+@[^@\s]+\.[^@\s]+$"}


def check_webhook_url(url: str) -> str:
    """A webhook target: http(s), a host, no credentials; where it resolves is checked when sending."""
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"the URL is longer than {MAX_URL_LENGTH} characters")
    parts = urlsplit(url)
    if parts.scheme not in WEBHOOK_SCHEMES:
        raise ValueError("the URL must start with http:// or https://")
    if not parts.hostname:
        raise ValueError("the URL has no host")
    if parts.username or parts.password:
        raise ValueError("the URL must not contain credentials; the request is signed instead")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as exc:
        raise ValueError("the URL has an invalid port") from exc
    return url


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class PreferenceRule(_Frozen):
    """How one event type reaches a user: on which channels, and email at once or in the digest."""

    event_type: str = Field(min_length=1, max_length=100)
    channels: tuple[Channel, ...] = ()
    mode: DeliveryMode = "immediate"


class _UserEvent(EventPayload):
    user_id: str = Field(**_ID)

    def key(self) -> str:
        """user_id"""
        return self.user_id


class _WebhookEvent(EventPayload):
    webhook_id: str = Field(**_ID)
    user_id: str = Field(**_ID)

    def key(self) -> str:
        """webhook_id"""
        return self.webhook_id


class _SmtpEvent(EventPayload):
    def key(self) -> str:
        """the constant "smtp" (one configuration)"""
        return SMTP_CONFIG_KEY


# ------------------------------------------------------------------------------------------------ commands
class PreferencesUpdateRequested(_UserEvent):
    """Replace a user's notification preferences (event types, channels, immediate or digest, digest frequency)."""

    event_type = "notifications.preferences_update_requested"
    topic = topics.NOTIFICATION_PREFERENCES_UPDATE_REQUESTED

    email: str | None = Field(default=None, **_EMAIL)
    digest_frequency: DigestFrequency = "off"
    rules: tuple[PreferenceRule, ...] = ()


class NotificationsMarkReadRequested(_UserEvent):
    """Mark some (``notification_ids``) or all (empty) of a user's in-app notifications read."""

    event_type = "notifications.mark_read_requested"
    topic = topics.NOTIFICATION_MARK_READ_REQUESTED

    notification_ids: tuple[str, ...] = ()
    read_at: AwareDatetime


class WebhookSaveRequested(_WebhookEvent):
    """Create or edit a webhook; ``secret_sealed`` is set on creation and on rotation only (None: keep)."""

    event_type = "notifications.webhook_save_requested"
    topic = topics.NOTIFICATION_WEBHOOK_SAVE_REQUESTED

    name: str = Field(min_length=1, max_length=100)
    url: str
    event_types: tuple[str, ...] = Field(default=(), description="Empty: every event the user's preferences send.")
    enabled: bool = True
    secret_sealed: str | None = None
    secret_prefix: str | None = Field(default=None, max_length=16)

    @field_validator("url")
    @classmethod
    def _valid_url(cls, value: str) -> str:
        return check_webhook_url(value)


class WebhookDeleteRequested(_WebhookEvent):
    """Delete a webhook; its pending deliveries are dropped."""

    event_type = "notifications.webhook_delete_requested"
    topic = topics.NOTIFICATION_WEBHOOK_DELETE_REQUESTED


class WebhookTestRequested(_WebhookEvent):
    """Send one signed test delivery to a webhook now (no retries; does not count towards disabling)."""

    event_type = "notifications.webhook_test_requested"
    topic = topics.NOTIFICATION_WEBHOOK_TEST_REQUESTED


class SmtpConfigUpdateRequested(_SmtpEvent):
    """Replace the SMTP configuration (admin). ``password_sealed`` None keeps the stored password."""

    event_type = "notifications.smtp_config_update_requested"
    topic = topics.NOTIFICATION_SMTP_CONFIG_UPDATE_REQUESTED

    host: str = Field(min_length=1, max_length=255)
    port: int = Field(ge=1, le=65535)
    tls_mode: TlsMode
    username: str | None = Field(default=None, max_length=255)
    password_sealed: str | None = None
    clear_password: bool = False
    from_address: str = Field(**_EMAIL)


class TestEmailRequested(_SmtpEvent):
    """Send one test email now with the current SMTP configuration (admin)."""

    __test__ = False  # not a pytest class
    event_type = "notifications.test_email_requested"
    topic = topics.NOTIFICATION_TEST_EMAIL_REQUESTED

    to: str = Field(**_EMAIL)


class DigestSendRequested(EventPayload):
    """Send digests now (admin): one user's (``user_id``) or every user's with queued items (None)."""

    event_type = "notifications.digest_send_requested"
    topic = topics.NOTIFICATION_DIGEST_SEND_REQUESTED

    user_id: str | None = Field(default=None, **_ID)

    def key(self) -> str:
        """user_id, or "all\""""
        return self.user_id or "all"


# ------------------------------------------------------------------------------------------------ facts
class NotificationCreated(_UserEvent):
    """An in-app notification for a user (from a domain event or about their webhooks)."""

    event_type = "notifications.created"
    topic = topics.NOTIFICATION_CREATED

    notification_id: str = Field(**_ID)
    source_event_type: str
    source_event_id: str
    title: str
    body: str = ""
    level: Level = "info"
    link: str | None = None
    created_at: AwareDatetime


class NotificationsRead(_UserEvent):
    """In-app notifications were marked read (``notification_ids`` empty: all up to ``read_at``)."""

    event_type = "notifications.read"
    topic = topics.NOTIFICATION_READ

    notification_ids: tuple[str, ...] = ()
    read_at: AwareDatetime


class PreferencesUpdated(_UserEvent):
    """A user's notification preferences as now stored."""

    event_type = "notifications.preferences_updated"
    topic = topics.NOTIFICATION_PREFERENCES_UPDATED

    email: str | None = None
    digest_frequency: DigestFrequency
    rules: tuple[PreferenceRule, ...]


class WebhookSaved(_WebhookEvent):
    """A webhook as now stored (never its secret)."""

    event_type = "notifications.webhook_saved"
    topic = topics.NOTIFICATION_WEBHOOK_SAVED

    name: str
    url: str
    event_types: tuple[str, ...]
    enabled: bool
    secret_prefix: str | None = None
    consecutive_failures: int = Field(default=0, ge=0)


class WebhookDeleted(_WebhookEvent):
    """A webhook is gone."""

    event_type = "notifications.webhook_deleted"
    topic = topics.NOTIFICATION_WEBHOOK_DELETED


class _DeliveryAttempt(_WebhookEvent):
    delivery_id: str = Field(**_ID)
    source_event_type: str
    attempt: int = Field(ge=1)
    latency_ms: float | None = Field(default=None, ge=0)
    test: bool = False
    at: AwareDatetime


class WebhookDelivered(_DeliveryAttempt):
    """A webhook endpoint accepted a delivery (2xx)."""

    event_type = "notifications.webhook_delivered"
    topic = topics.NOTIFICATION_WEBHOOK_DELIVERED

    status_code: int


class WebhookDeliveryFailed(_DeliveryAttempt):
    """A delivery attempt failed; ``next_attempt_at`` None means no retry follows."""

    event_type = "notifications.webhook_delivery_failed"
    topic = topics.NOTIFICATION_WEBHOOK_DELIVERY_FAILED

    status_code: int | None = None
    error: str
    next_attempt_at: AwareDatetime | None = None


class WebhookDisabled(_WebhookEvent):
    """A webhook was disabled after too many consecutive failures."""

    event_type = "notifications.webhook_disabled"
    topic = topics.NOTIFICATION_WEBHOOK_DISABLED

    consecutive_failures: int = Field(ge=1)
    reason: str


class SmtpConfigUpdated(_SmtpEvent):
    """The SMTP configuration as now stored (whether a password is set, never the password)."""

    event_type = "notifications.smtp_config_updated"
    topic = topics.NOTIFICATION_SMTP_CONFIG_UPDATED

    host: str
    port: int
    tls_mode: TlsMode
    username: str | None = None
    password_set: bool
    from_address: str


class _EmailOutcome(EventPayload):
    email_id: str = Field(**_ID)
    user_id: str | None = None
    to: str
    subject: str
    kind: EmailKind
    digest_id: str | None = None
    attempt: int = Field(ge=1)
    at: AwareDatetime

    def key(self) -> str:
        """email_id"""
        return self.email_id


class EmailSent(_EmailOutcome):
    """An email was accepted by the SMTP server."""

    event_type = "notifications.email_sent"
    topic = topics.NOTIFICATION_EMAIL_SENT


class EmailFailed(_EmailOutcome):
    """Sending an email failed; ``next_attempt_at`` None means no retry follows."""

    event_type = "notifications.email_failed"
    topic = topics.NOTIFICATION_EMAIL_FAILED

    error: str
    next_attempt_at: AwareDatetime | None = None


class DigestItemQueued(_UserEvent):
    """An event waits in a user's digest."""

    event_type = "notifications.digest_item_queued"
    topic = topics.NOTIFICATION_DIGEST_ITEM_QUEUED

    item_id: str = Field(**_ID)
    source_event_type: str
    title: str
    queued_at: AwareDatetime


class DigestSent(_UserEvent):
    """A digest was composed from ``item_ids`` and handed to email delivery (its EmailSent/EmailFailed carries
    the same ``digest_id``)."""

    event_type = "notifications.digest_sent"
    topic = topics.NOTIFICATION_DIGEST_SENT

    digest_id: str = Field(**_ID)
    item_ids: tuple[str, ...]
    to: str
    frequency: DigestFrequency
    sent_at: AwareDatetime
