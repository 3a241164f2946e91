"""Every text the UI shows, in Bahasa Indonesia (default) and English."""
from __future__ import annotations

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
LANGUAGE_COOKIE = "bahasa"

TEXT: dict[str, dict[str, str]] = {
    "app.title": {"id": "Pusat Komando Kota Ambon", "en": "Ambon City Command Center"},
    "app.subtitle": {"id": "Diskominfo & Persandian", "en": "Communication, Informatics & Cryptography Office"},
    "nav.map": {"id": "Peta", "en": "Map"},
    "lang.switch": {"id": "English", "en": "Bahasa Indonesia"},
    "layer.cameras": {"id": "Kamera CCTV", "en": "CCTV cameras"},
    "layer.camera_sectors": {"id": "Sudut pandang kamera", "en": "Camera fields of view"},
    "layer.complaints": {"id": "Pengaduan warga (SP4N-LAPOR)", "en": "Citizen complaints (SP4N-LAPOR)"},
    "layer.tps": {"id": "TPS (tempat sampah sementara)", "en": "TPS waste sites"},
    "layer.rivers": {"id": "Sungai", "en": "Rivers"},
    "layer.flood_zones": {"id": "Zona rawan banjir", "en": "Flood-prone zones"},
    "layer.businesses": {"id": "Restoran & kafe wajib pajak", "en": "Tax-paying restaurants & cafes"},
    "layer.kecamatan": {"id": "Batas kecamatan", "en": "Kecamatan boundaries"},
    "layer.desa": {"id": "Batas desa/kelurahan", "en": "Desa/kelurahan boundaries"},
    "base.osm": {"id": "OpenStreetMap", "en": "OpenStreetMap"},
    "base.vector": {"id": "Peta vektor (luring)", "en": "Vector map (offline)"},
    "legend.title": {"id": "Legenda", "en": "Legend"},
    "legend.sea": {"id": "Laut", "en": "Sea"},
    "legend.land": {"id": "Daratan", "en": "Land"},
    "legend.hazard": {"id": "Bahaya banjir", "en": "Flood hazard"},
    "legend.cluster": {"id": "Kelompok titik (angka = jumlah)", "en": "Cluster (number = count)"},
    "filter.title": {"id": "Saring pengaduan", "en": "Filter complaints"},
    "filter.dates": {"id": "Tanggal masuk", "en": "Date received"},
    "filter.date_start": {"id": "Dari", "en": "From"},
    "filter.date_end": {"id": "Sampai", "en": "To"},
    "filter.category": {"id": "Kategori", "en": "Category"},
    "filter.status": {"id": "Status", "en": "Status"},
    "filter.agency": {"id": "OPD tujuan", "en": "Agency (OPD)"},
    "filter.kecamatan": {"id": "Kecamatan", "en": "Kecamatan"},
    "filter.all": {"id": "Semua", "en": "All"},
    "filter.reset": {"id": "Atur ulang", "en": "Reset"},
    "filter.invalid": {"id": "Sebagian saringan tidak dikenal dan diabaikan.", "en": "Some filter values were not recognised and were ignored."},
    "counts.title": {"id": "Dalam tampilan peta", "en": "In the map view"},
    "counts.complaints": {"id": "Pengaduan", "en": "Complaints"},
    "counts.cameras": {"id": "Kamera", "en": "Cameras"},
    "counts.tps": {"id": "TPS", "en": "TPS sites"},
    "counts.businesses": {"id": "Usaha wajib pajak", "en": "Taxed businesses"},
    "unit.items": {"id": "buah", "en": "items"},
    "unit.complaints": {"id": "pengaduan", "en": "complaints"},
    "hazard.1": {"id": "Rendah", "en": "Low"},
    "hazard.2": {"id": "Sedang", "en": "Medium"},
    "hazard.3": {"id": "Tinggi", "en": "High"},
    "status.baru": {"id": "Baru", "en": "New"},
    "status.diteruskan": {"id": "Diteruskan ke OPD", "en": "Forwarded"},
    "status.diproses": {"id": "Diproses", "en": "In progress"},
    "status.selesai": {"id": "Selesai", "en": "Closed"},
    "category.sampah": {"id": "Sampah", "en": "Waste"},
    "category.jalan": {"id": "Jalan rusak", "en": "Roads"},
    "category.drainase": {"id": "Drainase", "en": "Drainage"},
    "category.ketertiban": {"id": "Ketertiban umum", "en": "Public order"},
    "category.banjir": {"id": "Banjir", "en": "Flooding"},
    "category.lalu_lintas": {"id": "Lalu lintas", "en": "Traffic"},
    "category.pajak": {"id": "Pajak daerah", "en": "Local tax"},
    "category.pasar": {"id": "Pasar & perdagangan", "en": "Markets & trade"},
    "category.kriminal": {"id": "Kriminalitas", "en": "Crime"},
    "agency.DLH": {"id": "DLH (Lingkungan Hidup)", "en": "DLH (Environment)"},
    "agency.PUPR": {"id": "PUPR (Pekerjaan Umum)", "en": "PUPR (Public Works)"},
    "agency.SATPOL_PP": {"id": "Satpol PP", "en": "Satpol PP (Civil Police)"},
    "agency.BPBD": {"id": "BPBD (Penanggulangan Bencana)", "en": "BPBD (Disaster Management)"},
    "agency.DISHUB": {"id": "Dishub (Perhubungan)", "en": "Dishub (Transport)"},
    "agency.BPPRD": {"id": "BPPRD (Pajak Daerah)", "en": "BPPRD (Local Revenue)"},
    "agency.DISPERINDAG": {"id": "Disperindag", "en": "Disperindag (Trade)"},
    "agency.POLRESTA": {"id": "Polresta Ambon", "en": "Ambon Police"},
    "kind.road": {"id": "Kamera jalan", "en": "Road camera"},
    "kind.river": {"id": "Kamera sungai", "en": "River camera"},
    "kind.tps": {"id": "Kamera TPS", "en": "TPS camera"},
    "business.restoran": {"id": "Restoran", "en": "Restaurant"},
    "business.kafe": {"id": "Kafe", "en": "Cafe"},
    "field.name": {"id": "Nama", "en": "Name"},
    "field.kind": {"id": "Jenis", "en": "Type"},
    "field.status": {"id": "Status", "en": "Status"},
    "field.heading": {"id": "Arah pandang", "en": "Heading"},
    "field.fov": {"id": "Sudut pandang", "en": "Field of view"},
    "field.range": {"id": "Jangkauan", "en": "Range"},
    "field.ptz": {"id": "PTZ (360°)", "en": "PTZ (360°)"},
    "field.desa": {"id": "Desa/kelurahan", "en": "Desa/kelurahan"},
    "field.kecamatan": {"id": "Kecamatan", "en": "Kecamatan"},
    "field.ticket": {"id": "Nomor tiket", "en": "Ticket"},
    "field.category": {"id": "Kategori", "en": "Category"},
    "field.agency": {"id": "OPD", "en": "Agency"},
    "field.created": {"id": "Diterima", "en": "Received"},
    "field.responded": {"id": "Ditanggapi", "en": "Responded"},
    "field.closed": {"id": "Selesai", "en": "Closed"},
    "field.channel": {"id": "Kanal", "en": "Channel"},
    "field.description": {"id": "Isi pengaduan", "en": "Complaint"},
    "field.capacity": {"id": "Kapasitas", "en": "Capacity"},
    "field.hazard": {"id": "Tingkat bahaya", "en": "Hazard level"},
    "field.tax_id": {"id": "NPWPD", "en": "Tax number (NPWPD)"},
    "field.last_deposit": {"id": "Setoran terakhir", "en": "Last deposit"},
    "field.deposit_avg": {"id": "Rata-rata 12 bulan", "en": "12-month average"},
    "field.code": {"id": "Kode wilayah", "en": "Area code"},
    "popup.loading": {"id": "Memuat…", "en": "Loading…"},
    "popup.error": {"id": "Data tidak dapat dimuat.", "en": "Could not load the details."},
    "camera.status.unknown": {"id": "Belum diketahui", "en": "Unknown"},
    "camera.status.online": {"id": "Daring", "en": "Online"},
    "camera.status.degraded": {"id": "Terganggu", "en": "Degraded"},
    "camera.status.offline": {"id": "Luring", "en": "Offline"},
    "attribution.demo": {"id": "Data demo (perkiraan)", "en": "Demo data (approximate)"},
}


def normalise_language(value: str | None) -> str:
    """A supported language code; anything else (missing, hostile, unknown) falls back to Indonesian."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str) -> str:
    """The text for `key` in `lang`. A missing key shows itself, so a gap is visible, not fatal."""
    entry = TEXT.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry[DEFAULT_LANGUAGE]


def bundle(prefix: str, lang: str) -> dict[str, str]:
    """All texts whose key starts with `prefix`, keyed by the rest of the key (for the browser)."""
    return {key[len(prefix):]: t(key, lang) for key in TEXT if key.startswith(prefix)}
