"""Accounts and access: users, sessions, API keys, recovery codes, login attempts, resource shares.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _user_fk(name: str = "user_id", *, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.String(36), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=nullable, index=True)


def _at(name: str, *, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "users", sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("is_active", sa.Boolean, nullable=False),
        sa.Column("totp_secret", sa.String(64), nullable=True),
        sa.Column("totp_enabled", sa.Boolean, nullable=False),
        sa.Column("totp_last_step", sa.BigInteger, nullable=True),
        _at("created_at"), _at("password_changed_at"),
    )
    op.create_table(
        "sessions", sa.Column("id", sa.String(36), primary_key=True), _user_fk(),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.String(512), nullable=True),
        _at("created_at"), _at("expires_at"), _at("last_seen_at"), _at("revoked_at", nullable=True),
    )
    op.create_table(
        "api_keys", sa.Column("id", sa.String(36), primary_key=True), _user_fk(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False, unique=True),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("scopes", sa.String(40), nullable=False),
        _at("created_at"), _at("expires_at", nullable=True), _at("revoked_at", nullable=True),
        _at("last_used_at", nullable=True),
    )
    op.create_table(
        "recovery_codes", sa.Column("id", sa.String(36), primary_key=True), _user_fk(),
        sa.Column("code_hash", sa.String(64), nullable=False),
        _at("used_at", nullable=True),
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        _user_fk(nullable=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.String(512), nullable=True),
        sa.Column("succeeded", sa.Boolean, nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("counts_as_failure", sa.Boolean, nullable=False),
        _at("at"),
    )
    op.create_index("ix_login_attempts_email_at", "login_attempts", ["email", "at"])
    op.create_index("ix_login_attempts_ip_at", "login_attempts", ["ip", "at"])
    op.create_table(
        "resource_shares", sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("resource_type", sa.String(40), nullable=False),
        sa.Column("resource_id", sa.String(64), nullable=False),
        _user_fk("owner_id"), _user_fk("shared_with_user_id"),
        _at("created_at"),
        sa.UniqueConstraint("resource_type", "resource_id", "shared_with_user_id", name="uq_resource_shares_target"),
    )


def downgrade() -> None:
    for table in ("resource_shares", "login_attempts", "recovery_codes", "api_keys", "sessions", "users"):
        op.drop_table(table)
