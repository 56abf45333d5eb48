"""A user's notification preferences: every event of the rule table with its channels and delivery mode."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_shared.events.notifications import PreferenceRule, PreferencesUpdateRequested
from pfd_shared.notification_rules import DEFAULT_CHANNELS, RULES, RULES_BY_TYPE

from pfd_gateway.auth.errors import InvalidInput
from pfd_gateway.domain.access import Principal
from pfd_gateway.notifications.commands import Commands
from pfd_gateway.notifications.projection import SAVING, upsert

EVENT_CHOICES: tuple[tuple[str, str], ...] = tuple((rule.event_type, rule.label) for rule in RULES)


def effective_rules(saved: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """One rule per notifiable event: the saved one, else the default (in-app and webhooks, immediately)."""
    by_type = {rule["event_type"]: rule for rule in saved or []}
    return [{"event_type": event_type, "label": label,
             "channels": list(by_type.get(event_type, {}).get("channels", DEFAULT_CHANNELS)),
             "mode": by_type.get(event_type, {}).get("mode", "immediate")} for event_type, label in EVENT_CHOICES]


class PreferencesService:
    def __init__(self, commands: Commands) -> None:
        self.commands, self.table = commands, commands.tables.preferences

    async def get(self, principal: Principal) -> dict[str, Any]:
        async with self.commands.sessions() as session:
            row = (await session.execute(select(self.table).where(self.table.c.user_id == principal.user_id))
                   ).mappings().first()
        if row is None:
            return {"email": principal.email, "digest_frequency": "off", "rules": effective_rules(None),
                    "status": "default", "updated_at": None}
        return dict(row) | {"rules": effective_rules(row["rules"])}

    async def save(self, principal: Principal, email: str | None, digest_frequency: str,
                   rules: list[dict[str, Any]]) -> dict[str, Any]:
        for index, rule in enumerate(rules):
            if rule.get("event_type") not in RULES_BY_TYPE:
                raise InvalidInput(f"rules.{index}.event_type", f"not a notifiable event: {rule.get('event_type')!r}")
        if not email and any("email" in rule.get("channels", ()) for rule in rules):
            raise InvalidInput("email", "an email address is needed for email notifications")
        try:
            command = PreferencesUpdateRequested(
                user_id=principal.user_id, email=email or None,
                digest_frequency=digest_frequency,  # type: ignore[arg-type]
                rules=tuple(PreferenceRule.model_validate(rule) for rule in rules))
        except ValidationError as exc:
            first = exc.errors()[0]
            raise InvalidInput(".".join(str(p) for p in first["loc"]) or "preferences", first["msg"]) from exc

        async def change(session: AsyncSession) -> None:
            await upsert(session, self.table, {"user_id": principal.user_id}, {
                "email": command.email, "digest_frequency": command.digest_frequency, "status": SAVING,
                "rules": [r.model_dump(mode="json") for r in command.rules], "updated_at": datetime.now(UTC)})

        await self.commands.send(principal, command, change)
        return await self.get(principal)
