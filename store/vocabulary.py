"""Fixed vocabularies of the store: the only values filters and imports accept."""

COMPLAINT_CATEGORY_AGENCY = {
    "sampah": "DLH",
    "jalan": "PUPR",
    "drainase": "PUPR",
    "ketertiban": "SATPOL_PP",
    "banjir": "BPBD",
    "lalu_lintas": "DISHUB",
    "pajak": "BPPRD",
    "pasar": "DISPERINDAG",
    "kriminal": "POLRESTA",
}
"""Complaint category -> agency (OPD) it is routed to."""

COMPLAINT_CATEGORIES = tuple(COMPLAINT_CATEGORY_AGENCY)
AGENCIES = tuple(dict.fromkeys(COMPLAINT_CATEGORY_AGENCY.values()))
COMPLAINT_STATUSES = ("baru", "diteruskan", "diproses", "selesai")
"""New, forwarded to the agency, being handled, closed (the SP4N-LAPOR life cycle, simplified)."""
COMPLAINT_CHANNELS = ("web", "sms", "whatsapp", "aplikasi", "call_center")

CAMERA_KINDS = ("road", "river", "tps")
CAMERA_STATUSES = ("online", "degraded", "offline", "unknown")
BUSINESS_CATEGORIES = ("restoran", "kafe", "rumah_makan", "katering")
HAZARD_LEVELS = (1, 2, 3)
"""Flood hazard: 1 low, 2 medium, 3 high."""
