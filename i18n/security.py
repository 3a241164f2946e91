"""Texts of the hardening (issue 10): refused camera URLs, the cache's state on /admin."""
from __future__ import annotations

TEXT = {
    "camera.refused.bad_characters": {"id": "URL aliran tidak boleh berisi spasi atau karakter kendali",
                                      "en": "the stream URL must not contain spaces or control characters"},
    "camera.refused.address_not_allowed": {"id": "URL aliran menunjuk ke alamat yang tidak boleh dipakai kamera (CAMERA_NETWORKS)",
                                           "en": "the stream URL points to an address cameras may not use (CAMERA_NETWORKS)"},
    "camera.refused.control_characters": {"id": "{field} berisi karakter kendali", "en": "{field} contains control characters"},
    "camera.refused.too_long": {"id": "{field}: paling banyak {limit} karakter", "en": "{field}: at most {limit} characters"},
    "security.cache_down": {"id": "Redis tidak dapat dihubungi sejak {since}.", "en": "Redis cannot be reached since {since}."},
    "security.cache_down_means": {
        "id": "Aplikasi tetap berjalan dengan cache milik proses ini sendiri: lapisan peta dihitung ulang, gambar kamera hanya dari "
              "pembaca kamera proses ini, dan batas percobaan masuk dihitung per proses. Aplikasi kembali memakai Redis begitu Redis menjawab.",
        "en": "The app keeps running on this process's own cache: map layers are computed again, camera pictures come only from this "
              "process's camera readers, and login limits are counted per process. It returns to Redis as soon as Redis answers."},
    "security.evidence_kept": {"id": "Foto buktinya tetap disimpan, hanya untuk admin: {url}",
                               "en": "Its evidence snapshots are kept, for admins only: {url}"},
}
