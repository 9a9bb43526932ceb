"""A plan's own settings, in a file beside its document: ``<document stem>.policy.yaml``.

The document itself is signed and cannot be edited, yet the office often has to add what
it leaves out: who directs the work when there is no "Cơ quan chỉ đạo" line (otherwise
the escalation to the leadership has nowhere to go), or a different follow-up rhythm for
this one plan. ``plan import`` reads the file when it is there; importing again without
it removes what it said.

    # config/plans/ke-hoach-ba-to-thai-hoa-2024.policy.yaml
    directing: [Ủy ban nhân dân huyện]   # directs every task that names no directing agency
    policy:                              # overrides config/policy.yaml for this plan only
      escalation:
        repeat_every_working_days: 3
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from notifier.domain.policy import Policy
from notifier.yamlconf import load_yaml_model

SUFFIX = ".policy.yaml"


class PlanSettingsFile(BaseModel):
    """Schema of ``<stem>.policy.yaml``."""

    model_config = ConfigDict(extra="forbid")
    directing: list[str] = Field(default_factory=list)
    policy: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True)
class PlanSettings:
    path: Path | None = None
    directing: tuple[str, ...] = ()
    policy: dict[str, Any] = field(default_factory=dict)


def settings_path(document: Path) -> Path:
    """Where the plan's own settings live: ``x.md`` -> ``x.policy.yaml`` beside it."""
    return document.with_name(document.stem + SUFFIX)


def load_plan_settings(document: Path, base: Policy) -> PlanSettings:
    """The settings beside ``document`` (empty when there is no file), fully validated.

    A policy override that the policy file itself could not hold is a ConfigError naming
    the settings file, as for config/policy.yaml.
    """
    path = settings_path(document)
    if not path.exists():
        return PlanSettings()
    data = load_yaml_model(path, PlanSettingsFile)
    if data.policy:
        base.merged(data.policy, source=str(path))
    directing = tuple(" ".join(name.split()) for name in data.directing if name.strip())
    return PlanSettings(path, directing, dict(data.policy))
