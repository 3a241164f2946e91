"""Fixed vocabularies of the store: the only values filters and imports accept."""
from complaints.lifecycle import STATES

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
the life cycle's states (complaints.lifecycle, their one home)."""
COMPLAINT_CHANNELS = ("web", "sms", "whatsapp", "aplikasi", "call_center")

CAMERA_KINDS = ("road", "river", "tps")
CAMERA_STATUSES = ("online", "degraded", "offline", "unknown")
BUSINESS_CATEGORIES = ("restoran", "kafe", "rumah_makan", "katering")
HAZARD_LEVELS = (1, 2, 3)
"""Flood hazard: 1 low, 2 medium, 3 high."""
