"""Words drawn on camera cards (the JPEG shown in place of a stale picture)."""

TEXT: dict[str, dict[str, str]] = {
    "cam.card.offline": {"id": "OFFLINE", "en": "OFFLINE"},
    "cam.card.since": {"id": "sejak {when}", "en": "since {when}"},
    "cam.card.never": {"id": "belum pernah ada gambar", "en": "never had a picture"},
}
