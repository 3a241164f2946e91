"""Month and weekday names, for i18n.format (Babel is not a dependency; these are all it would give)."""

_MONTHS = [("Januari", "January"), ("Februari", "February"), ("Maret", "March"), ("April", "April"), ("Mei", "May"),
           ("Juni", "June"), ("Juli", "July"), ("Agustus", "August"), ("September", "September"), ("Oktober", "October"),
           ("November", "November"), ("Desember", "December")]
_WEEKDAYS = [("Senin", "Monday"), ("Selasa", "Tuesday"), ("Rabu", "Wednesday"), ("Kamis", "Thursday"), ("Jumat", "Friday"),
             ("Sabtu", "Saturday"), ("Minggu", "Sunday")]

TEXT: dict[str, dict[str, str]] = {
    **{f"fmt.month.{i}": {"id": id_, "en": en} for i, (id_, en) in enumerate(_MONTHS, start=1)},
    **{f"fmt.weekday.{i}": {"id": id_, "en": en} for i, (id_, en) in enumerate(_WEEKDAYS)},
}
