"""The complaint deadline rules the settings give (config.Settings.complaint_rules): working days for the
first response and for completion by kind of complaint (SP4N-LAPOR). complaints.deadlines counts them."""
from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("informasi", "pengaduan", "sengketa", "sengketa_lapangan")
"""Request for information, ordinary complaint, dispute without and with a field inspection."""
DEFAULT_KIND = "pengaduan"


@dataclass(frozen=True)
class DeadlineRules:
    """Working days allowed: for the first response, and for completion by kind of complaint."""

    response_days: int = 3
    completion_days: dict[str, int] = field(default_factory=lambda: {"informasi": 5, "pengaduan": 5, "sengketa": 14, "sengketa_lapangan": 60})

    @classmethod
    def parse(cls, response_days: str | int, completion: str) -> DeadlineRules:
        """From settings text: completion as "informasi=5,pengaduan=5,sengketa=14,sengketa_lapangan=60".
        Raises ValueError naming what is wrong."""
        days = dict(cls().completion_days)
        for part in filter(None, (p.strip() for p in completion.split(","))):
            kind, _, value = part.partition("=")
            if kind.strip() not in KINDS or not value.strip().isdigit():
                raise ValueError(f"complaint completion days: {part!r} is not KIND=DAYS with KIND one of {', '.join(KINDS)}")
            days[kind.strip()] = int(value)
        return cls(int(response_days), days)

    def completion_for(self, kind: str | None) -> int:
        return self.completion_days.get(kind or DEFAULT_KIND, self.completion_days[DEFAULT_KIND])
