"""Uptime shown over the time actually observed (status page, camera health)."""
TEXT = {
    "uptime.no_data": {"id": "belum ada data", "en": "no data yet"},
    "uptime.observed": {"id": "{pct} (dipantau {duration})", "en": "{pct} (monitored {duration})"},
    "uptime.under_minute": {"id": "kurang dari 1 menit", "en": "under a minute"},
    "uptime.days": {"id": "{n} hari", "en": "{n} days"},
}
