"""Monitoring settings, nested into DeploySettings as ``monitoring`` (env PFD_DEPLOY_MONITORING__<NAME>)."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from pfd_deploy.monitoring.rules import AlertRule, RuleError

DEFAULT_ALIAS = "production"


class MonitoringSettings(BaseModel):
    """Which model scores a machine without an explicit assignment, and the alert rule's figures."""

    model_name: str | None = Field(default=None, description="Model scoring machines without an assignment (None: "
                                                              "such machines are reported unassigned).")
    alias: str = Field(default=DEFAULT_ALIAS, description="The alias of that model.")
    rule_k: int = Field(default=3, ge=1, description="Fire when k of the last n windows are faults...")
    rule_n: int = Field(default=5, ge=1, le=1_000, description="... out of the last n windows ...")
    rule_p: float = Field(default=0.8, gt=0, le=1, description="... each with at least this probability.")
    clear_after: int = Field(default=3, ge=1, le=1_000, description="Consecutive healthy windows that clear an alert.")
    healthy_classes: list[str] = Field(default_factory=lambda: ["healthy", "normal"], min_length=1,
                                       description="Class names meaning 'no fault'.")

    @model_validator(mode="after")
    def _consistent_rule(self) -> MonitoringSettings:
        try:
            self.rule()
        except RuleError as exc:  # k > n...: refused when the settings load, not on the first window
            raise ValueError(str(exc)) from exc
        return self

    def rule(self) -> AlertRule:
        return AlertRule(k=self.rule_k, n=self.rule_n, p=self.rule_p, m=self.clear_after,
                         healthy_classes=frozenset(self.healthy_classes))
