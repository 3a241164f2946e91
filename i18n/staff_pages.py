"""Texts of the staff's Flask pages (service monitor, refusals) that Dash does not render."""

TEXT: dict[str, dict[str, str]] = {
    "staff.nav": {"id": "Navigasi", "en": "Navigation"},
    "purpose.monitor": {"id": "pemantauan layanan: keadaan setiap layanan, insiden dan pemeliharaan",
                        "en": "the service monitor: every service's state, incidents and maintenance"},
    "mon.services_caption": {"id": "Keadaan setiap layanan sekarang", "en": "Every service's state now"},
}
