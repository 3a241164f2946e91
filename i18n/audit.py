"""Audit log actions in words. An action code is dotted segments ("data.import.refused"); each
segment has its word, so a new action reads well without a new entry, and people can search the
log in their own words ("impor" finds data.import and import.complaints)."""
from __future__ import annotations

from i18n import normalise_language

SEGMENT_WORDS: dict[str, dict[str, str]] = {
    "login": {"id": "masuk", "en": "login"}, "logout": {"id": "keluar", "en": "logout"},
    "ok": {"id": "berhasil", "en": "succeeded"}, "failed": {"id": "gagal", "en": "failed"},
    "live": {"id": "video langsung", "en": "live video"}, "open": {"id": "dibuka", "en": "opened"},
    "close": {"id": "ditutup", "en": "closed"}, "snapshot": {"id": "foto kamera", "en": "camera snapshot"},
    "take": {"id": "diambil", "en": "taken"}, "read": {"id": "dilihat", "en": "viewed"},
    "export": {"id": "ekspor", "en": "export"}, "import": {"id": "impor", "en": "import"},
    "refused": {"id": "ditolak", "en": "refused"}, "data": {"id": "data", "en": "data"},
    "camera": {"id": "kamera", "en": "camera"}, "create": {"id": "dibuat", "en": "created"},
    "update": {"id": "diubah", "en": "changed"}, "delete": {"id": "dihapus", "en": "deleted"},
    "user": {"id": "pengguna", "en": "user"}, "reset_password": {"id": "kata sandi diatur ulang", "en": "password reset"},
    "demo_disabled": {"id": "akun demo dimatikan", "en": "demo account disabled"},
    "tax": {"id": "pajak", "en": "tax"}, "map": {"id": "peta", "en": "map"}, "list": {"id": "daftar", "en": "list"},
    "view": {"id": "dilihat", "en": "viewed"}, "case": {"id": "kasus", "en": "case"},
    "tax_cases": {"id": "kasus pajak", "en": "tax cases"}, "tax_returns": {"id": "laporan pajak", "en": "tax returns"},
    "tax_transactions": {"id": "transaksi pajak", "en": "tax transactions"},
    "complaints": {"id": "pengaduan", "en": "complaints"}, "holiday_added": {"id": "hari libur ditambah", "en": "holiday added"},
    "coverage_upload": {"id": "unggahan cakupan", "en": "coverage upload"},
    "flood": {"id": "banjir", "en": "flood"}, "flood_readings_csv": {"id": "pembacaan banjir (CSV)", "en": "flood readings (CSV)"},
    "alert": {"id": "peringatan", "en": "alert"}, "drill": {"id": "latihan", "en": "drill"},
    "start": {"id": "dimulai", "en": "started"}, "end": {"id": "diakhiri", "en": "ended"}, "clear": {"id": "dibersihkan", "en": "cleared"},
    "monitor": {"id": "pemantauan layanan", "en": "service monitor"}, "maintenance": {"id": "pemeliharaan", "en": "maintenance"},
    "note": {"id": "catatan", "en": "note"}, "service_saved": {"id": "layanan disimpan", "en": "service saved"},
    "webhook_added": {"id": "webhook ditambah", "en": "webhook added"}, "webhook_removed": {"id": "webhook dihapus", "en": "webhook removed"},
}


def action_text(action: str, lang: str) -> str:
    """An action code in words: "data.import.refused" → "Data impor ditolak"; unknown segments show as they are."""
    lang = normalise_language(lang)
    words = " ".join(SEGMENT_WORDS.get(segment, {}).get(lang, segment.replace("_", " ")) for segment in action.split("."))
    return words[:1].upper() + words[1:]


def action_segments(word: str) -> set[str]:
    """The code segments a searched word may mean: itself, and every segment whose word (either
    language) begins with it ("impor" → {"impor", "import"})."""
    word = word.strip().lower()
    return {word} | {segment for segment, names in SEGMENT_WORDS.items()
                     if any(name.lower().startswith(word) or f" {word}" in f" {name.lower()}" for name in names.values())}
