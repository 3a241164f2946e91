"""What each importable layer holds: its table, geometry, and target columns with their units and the
Indonesian and English names a file may give them (for the suggested column mapping)."""
from __future__ import annotations

from dataclasses import dataclass

from flood.models import Gauge
from imports.models import Obstacle
from store.models import Business, Camera, Complaint, FloodZone, River, TpsSite, Watershed
from store.vocabulary import (
    BUSINESS_CATEGORIES,
    CAMERA_KINDS,
    COMPLAINT_CATEGORIES,
    COMPLAINT_CHANNELS,
    COMPLAINT_STATUSES,
)


@dataclass(frozen=True)
class Field:
    """A target column. ``kind``: text, number, integer, datetime or choice; ``unit`` as shown to
    people ("m", "°", "cm", "m³"); ``low``/``high`` inclusive bounds of numbers; ``choices`` the
    accepted values of a choice, ``aliases`` other words for them."""

    name: str
    kind: str = "text"
    unit: str | None = None
    required: bool = False
    synonyms: tuple[str, ...] = ()
    default: object = None
    low: float | None = None
    high: float | None = None
    choices: tuple = ()
    aliases: tuple[tuple[str, object], ...] = ()
    max_length: int | None = None


@dataclass(frozen=True)
class LayerSpec:
    """An importable layer. ``geometry``: point, line or polygon. ``key``: the column that names a
    row for good (rows of the same key keep their id, so what refers to them still does).
    ``mode``: "replace" (the file becomes the layer) or "append" (history: rows added or updated).
    ``permission``: what a role needs to export it."""

    name: str
    model: type
    geometry: str
    fields: tuple[Field, ...]
    key: str | None = None
    mode: str = "replace"
    permission: str = "map"
    in_areas: bool = False
    ascending: tuple[str, ...] = ()
    """Number columns that must rise in this order (a gauge's thresholds)."""

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


NAME = ("nama", "name", "nama_lokasi", "lokasi", "judul", "title", "keterangan_nama")
HAZARD_WORDS = (("rendah", 1), ("low", 1), ("sedang", 2), ("medium", 2), ("tinggi", 3), ("high", 3))

SPECS: dict[str, LayerSpec] = {spec.name: spec for spec in (
    LayerSpec("cameras", Camera, "point", (
        Field("name", required=True, synonyms=("nama_kamera", "nama_cctv", "cctv", "kamera", *NAME), max_length=120),
        Field("kind", "choice", synonyms=("jenis", "tipe", "kind", "type", "jenis_kamera"), default="road", choices=CAMERA_KINDS,
              aliases=(("jalan", "road"), ("sungai", "river"), ("lalu_lintas", "road"), ("sampah", "tps"))),
        Field("heading_deg", "number", "°", synonyms=("arah", "heading", "azimuth", "bearing", "arah_pandang", "arah_hadap"), low=0, high=360),
        Field("fov_deg", "number", "°", synonyms=("sudut_pandang", "fov", "sudut", "field_of_view", "lebar_pandang"), low=1, high=360),
        Field("range_m", "number", "m", synonyms=("jangkauan", "range", "jarak", "jarak_pandang", "radius"), low=1, high=2000),
        Field("stream_url", synonyms=("url", "stream", "rtsp", "alamat_stream", "stream_url", "link"), default="", max_length=500),
        Field("group", synonyms=("grup", "kelompok", "group", "pengelola"), default="umum", max_length=40),
    ), key="name", permission="camera", in_areas=True),
    LayerSpec("tps", TpsSite, "point", (
        Field("name", required=True, synonyms=("nama_tps", "tps", *NAME), max_length=120),
        Field("capacity_m3", "number", "m³", synonyms=("kapasitas", "capacity", "volume", "kapasitas_m3", "daya_tampung"), low=0, high=10_000),
    ), key="name", in_areas=True),
    LayerSpec("businesses", Business, "point", (
        Field("name", required=True, synonyms=("nama_usaha", "nama_wp", "nama_restoran", "usaha", *NAME), max_length=120),
        Field("category", "choice", required=True, synonyms=("kategori", "jenis_usaha", "jenis", "category", "type"), choices=BUSINESS_CATEGORIES,
              aliases=(("restaurant", "restoran"), ("rumah_makan", "restoran"), ("rm", "restoran"), ("cafe", "kafe"), ("kedai_kopi", "kafe"))),
        Field("tax_id", required=True, synonyms=("npwpd", "nopd", "tax_id", "npwp", "nomor_pajak", "no_pajak"), max_length=32),
    ), key="tax_id", in_areas=True),
    LayerSpec("complaints", Complaint, "point", (
        Field("ticket", required=True, synonyms=("tiket", "no_tiket", "nomor_tiket", "tracking_id", "id_laporan", "nomor_laporan", "ticket"), max_length=32),
        Field("created_at", "datetime", "WIT", required=True, synonyms=("tanggal", "tanggal_laporan", "waktu", "created", "date", "tgl", "created_at")),
        Field("category", "choice", required=True, synonyms=("kategori", "category", "topik", "jenis"), choices=COMPLAINT_CATEGORIES,
              aliases=(("lalu lintas", "lalu_lintas"), ("waste", "sampah"), ("road", "jalan"), ("flood", "banjir"))),
        Field("description", required=True, synonyms=("isi", "isi_laporan", "uraian", "deskripsi", "keterangan", "description", "laporan")),
        Field("status", "choice", synonyms=("status", "status_laporan"), default="selesai", choices=COMPLAINT_STATUSES),
        Field("agency", synonyms=("instansi", "opd", "dinas", "agency", "disposisi"), max_length=20),
        Field("channel", "choice", synonyms=("kanal", "saluran", "sumber", "channel", "media"), default="web", choices=COMPLAINT_CHANNELS,
              aliases=(("wa", "whatsapp"), ("app", "aplikasi"), ("telepon", "call_center"))),
        Field("responded_at", "datetime", "WIT", synonyms=("tanggal_tanggapan", "ditanggapi", "responded_at")),
        Field("closed_at", "datetime", "WIT", synonyms=("tanggal_selesai", "selesai", "closed_at")),
        Field("reporter_name", synonyms=("nama_pelapor", "pelapor", "reporter_name", "reporter"), max_length=120),
        Field("reporter_phone", synonyms=("telepon", "no_hp", "hp", "telp", "reporter_phone", "phone"), max_length=32),
    ), key="ticket", mode="append", in_areas=True),
    LayerSpec("rivers", River, "line", (
        Field("name", required=True, synonyms=("nama_sungai", "sungai", "river", *NAME), max_length=80),
    ), key="name"),
    LayerSpec("flood_zones", FloodZone, "polygon", (
        Field("name", required=True, synonyms=("nama_zona", "zona", "kawasan", *NAME), max_length=120),
        Field("hazard", "choice", "1-3", required=True, synonyms=("tingkat_bahaya", "bahaya", "hazard", "kelas", "kelas_bahaya", "tingkat", "level"),
              choices=(1, 2, 3), aliases=HAZARD_WORDS),
    )),
    LayerSpec("watersheds", Watershed, "polygon", (
        Field("name", required=True, synonyms=("nama_das", "das", "watershed", *NAME), max_length=80),
    )),
    LayerSpec("gauges", Gauge, "point", (
        Field("code", required=True, synonyms=("kode", "kode_pos", "kode_stasiun", "id_stasiun", "code", "id"), max_length=32),
        Field("name", required=True, synonyms=("nama_pos", "nama_stasiun", "stasiun", *NAME), max_length=120),
        Field("normal_cm", "number", "cm", required=True, synonyms=("normal", "muka_air_normal", "tma_normal", "normal_cm")),
        Field("waspada_cm", "number", "cm", required=True, synonyms=("ambang_waspada", "waspada", "siaga_3", "waspada_cm")),
        Field("siaga_cm", "number", "cm", required=True, synonyms=("ambang_siaga", "siaga", "siaga_2", "siaga_cm")),
        Field("awas_cm", "number", "cm", required=True, synonyms=("ambang_awas", "awas", "siaga_1", "awas_cm")),
    ), key="code", permission="flood", ascending=("normal_cm", "waspada_cm", "siaga_cm", "awas_cm")),
    LayerSpec("obstacles", Obstacle, "polygon", (
        Field("name", synonyms=("nama_bangunan", "bangunan", *NAME), max_length=120),
        Field("height_m", "number", "m", synonyms=("tinggi", "tinggi_m", "height", "height_m", "elevasi"), low=0, high=1000),
        Field("floors", "integer", synonyms=("lantai", "jumlah_lantai", "floors", "building_levels", "levels"), low=0, high=200),
    ), permission="coverage"),
)}
"""Every importable layer by the name the command line and the page use."""

LAYERS = tuple(SPECS)
