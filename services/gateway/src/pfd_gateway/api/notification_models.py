"""Notification API models (XCreate / XPublic). Secrets are write-only: never part of a Public model."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from pfd_shared.events.notifications import Channel, DeliveryMode, DigestFrequency, TlsMode


class NotificationPublic(BaseModel):
    notification_id: str
    source_event_type: str
    title: str
    body: str
    level: str
    link: str | None = None
    created_at: datetime
    read_at: datetime | None = None


class UnreadPublic(BaseModel):
    unread: int


class RulePublic(BaseModel):
    event_type: str
    label: str | None = None
    channels: list[Channel]
    mode: DeliveryMode = "immediate"


class PreferencesPublic(BaseModel):
    email: str | None = None
    digest_frequency: DigestFrequency
    rules: list[RulePublic]
    status: str = Field(description="default (never saved), saving (sent to the notifier) or saved")


class PreferencesUpdate(BaseModel):
    email: str | None = None
    digest_frequency: DigestFrequency = "off"
    rules: list[RulePublic] = Field(default_factory=list)


class WebhookCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    url: str = Field(min_length=1, max_length=2000)
    event_types: list[str] = Field(default_factory=list, description="Empty: every event your preferences send.")
    enabled: bool = True


class WebhookUpdate(WebhookCreate):
    rotate_secret: bool = False


class WebhookPublic(BaseModel):
    webhook_id: str
    user_id: str
    name: str
    url: str
    event_types: list[str]
    enabled: bool
    status: str
    secret_prefix: str | None = None
    consecutive_failures: int = 0
    disabled_reason: str | None = None
    created_at: datetime | None = None
    updated_at: datetime


class WebhookWithSecret(WebhookPublic):
    secret: str | None = Field(default=None, description="The signing secret: shown this once, keep it.")


class DeliveryPublic(BaseModel):
    delivery_id: str
    source_event_type: str
    attempt: int
    ok: bool
    status_code: int | None = None
    latency_ms: float | None = None
    error: str | None = None
    test: bool
    next_attempt_at: datetime | None = None
    at: datetime


class SmtpUpdate(BaseModel):
    host: str = Field(min_length=1, max_length=255)
    port: int = Field(ge=1, le=65535)
    tls_mode: TlsMode = "starttls"
    username: str | None = None
    password: str | None = Field(default=None, description="Write-only; empty or absent keeps the stored one.")
    clear_password: bool = False
    from_address: str


class SmtpPublic(BaseModel):
    host: str
    port: int
    tls_mode: str
    username: str | None = None
    password_set: bool
    from_address: str
    status: str
    updated_at: datetime


class TestEmailCreate(BaseModel):
    __test__ = False
    to: str


class EmailPublic(BaseModel):
    email_id: str
    to: str
    subject: str
    kind: str
    attempt: int
    ok: bool
    error: str | None = None
    next_attempt_at: datetime | None = None
    at: datetime


class DigestQueuePublic(BaseModel):
    user_id: str
    account: str | None = None
    email: str | None = None
    digest_frequency: str | None = None
    items: int
    oldest: datetime


class DigestPublic(BaseModel):
    digest_id: str
    user_id: str
    to: str
    frequency: str
    item_count: int
    sent_at: datetime
    email_status: str
    email_error: str | None = None


class DigestSendCreate(BaseModel):
    user_id: str | None = Field(default=None, description="None: every waiting digest.")
