"""Fixed vocabularies of the store: the only values filters and imports accept."""

# The states of a complaint, as stored; complaints.lifecycle says who may move a complaint between them.
RECEIVED, VERIFIED, REJECTED = "baru", "terverifikasi", "ditolak"
ROUTED, ACCEPTED, RESOLVED, CLOSED, REOPENED = "diteruskan", "diproses", "diselesaikan", "selesai", "dibuka_kembali"

STATES = (RECEIVED, ROUTED, ACCEPTED, CLOSED, VERIFIED, REJECTED, RESOLVED, REOPENED)
"""Every state; the first four in the order the map has always numbered them."""

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
COMPLAINT_STATUSES = STATES
"""Received, routed to the agency, accepted by it, closed, then verified, rejected, resolved, reopened:
the life cycle's states (above; complaints.lifecycle moves complaints between them)."""
COMPLAINT_CHANNELS = ("web", "sms", "whatsapp", "aplikasi", "call_center")

CAMERA_KINDS = ("road", "river", "tps")
CAMERA_STATUSES = ("online", "degraded", "offline", "unknown")
BUSINESS_CATEGORIES = ("restoran", "kafe", "rumah_makan", "katering")
HAZARD_LEVELS = (1, 2, 3)
"""Flood hazard: 1 low, 2 medium, 3 high."""
