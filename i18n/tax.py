"""Texts of the restaurant-tax page (/pajak): flags in words with their numbers, cases, uploads."""
from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "nav.tax": {"id": "Pajak restoran", "en": "Restaurant tax"},
    "tax.title": {"id": "Pemantauan pajak restoran (BPPRD)", "en": "Restaurant tax monitoring (revenue office)"},
    "tax.confidential": {"id": "Data wajib pajak bersifat rahasia; setiap tampilan angka usaha dicatat di log audit.",
                         "en": "Taxpayer data is confidential; every view of a business's figures is recorded in the audit log."},
    "tax.month": {"id": "Masa pajak", "en": "Tax month"},
    "tax.at_stake_total": {"id": "Potensi pajak yang dipertaruhkan (kasus terbuka)", "en": "Revenue at stake (open cases)"},
    "tax.cases_open": {"id": "kasus terbuka", "en": "open cases"},
    "tax.layer": {"id": "Wajib pajak restoran", "en": "Restaurant taxpayers"},
    "tax.legend": {"id": "Tanda terburuk yang masih terbuka", "en": "Worst open flag"},
    "tax.flag.none": {"id": "Tidak ada tanda terbuka", "en": "No open flag"},
    "tax.flag.underpaid": {"id": "Bayar kurang dari penjualan tercatat", "en": "Paid less than recorded sales"},
    "tax.flag.silent": {"id": "Tapping box diam", "en": "Tapping box silent"},
    "tax.flag.dip": {"id": "Penjualan turun, usaha sejenis tidak", "en": "Sales fell, peers' did not"},
    "tax.flag.late": {"id": "Terlambat / belum bayar", "en": "Late / missing payment"},
    "tax.explain.underpaid": {"id": "{month}: dibayar {paid}, {share} dari pajak {rate} atas penjualan tercatat {sales}",
                              "en": "{month}: paid {paid}, {share} of the {rate} tax on recorded sales of {sales}"},
    "tax.explain.silent": {"id": "Tapping box {device} diam sejak {since}, {hours} jam buka",
                           "en": "Tapping box {device} silent since {since}, {hours} opening hours"},
    "tax.explain.dip": {"id": "{month}: penjualan tercatat {sales}, {change} terhadap rata-rata 12 bulan ({baseline}) dan {yoy} "
                              "terhadap bulan yang sama tahun lalu; usaha sejenis di {peers}: {peer_change}",
                        "en": "{month}: recorded sales {sales}, {change} against the 12-month mean ({baseline}) and {yoy} "
                              "against the same month last year; peers in {peers}: {peer_change}"},
    "tax.explain.peers_local": {"id": "kecamatan yang sama", "en": "the same kecamatan"},
    "tax.explain.peers_city": {"id": "seluruh kota", "en": "the whole city"},
    "tax.explain.missing": {"id": "{month}: belum dibayar, jatuh tempo {due} ({days} hari lalu); pajak dari penjualan tercatat {expected}",
                            "en": "{month}: not paid, due {due} ({days} days ago); tax on recorded sales {expected}"},
    "tax.explain.late": {"id": "{month}: dibayar {paid} pada {paid_on}, {days} hari setelah jatuh tempo {due}",
                         "en": "{month}: {paid} paid on {paid_on}, {days} days after the due date {due}"},
    "tax.status.new": {"id": "Baru", "en": "New"},
    "tax.status.visited": {"id": "Sudah dikunjungi", "en": "Visited"},
    "tax.status.warning_sent": {"id": "Surat teguran dikirim", "en": "Warning letter sent"},
    "tax.status.paid": {"id": "Sudah dibayar", "en": "Paid"},
    "tax.status.unfounded": {"id": "Tidak terbukti", "en": "Unfounded"},
    "tax.col.rank": {"id": "No.", "en": "No."},
    "tax.col.business": {"id": "Usaha", "en": "Business"},
    "tax.col.npwpd": {"id": "NPWPD", "en": "NPWPD"},
    "tax.col.address": {"id": "Alamat", "en": "Address"},
    "tax.col.kind": {"id": "Tanda", "en": "Flag"},
    "tax.col.explanation": {"id": "Penjelasan", "en": "Explanation"},
    "tax.col.at_stake": {"id": "Dipertaruhkan (Rp)", "en": "At stake (Rp)"},
    "tax.col.officer": {"id": "Petugas", "en": "Officer"},
    "tax.col.status": {"id": "Status", "en": "Status"},
    "tax.col.due": {"id": "Tenggat", "en": "Due"},
    "tax.col.notes": {"id": "Catatan", "en": "Notes"},
    "tax.col.map": {"id": "Peta", "en": "Map"},
    "tax.cases": {"id": "Daftar tindak lanjut", "en": "Follow-up list"},
    "tax.cases.open_only": {"id": "Hanya kasus terbuka", "en": "Open cases only"},
    "tax.cases.none": {"id": "Tidak ada kasus untuk bulan ini.", "en": "No cases for this month."},
    "tax.export.csv": {"id": "Unduh CSV", "en": "Download CSV"},
    "tax.export.xlsx": {"id": "Unduh XLSX", "en": "Download XLSX"},
    "tax.detail.pick": {"id": "Klik sebuah usaha di peta atau sebuah baris daftar.", "en": "Click a business on the map or a row of the list."},
    "tax.detail.hours": {"id": "Jam buka", "en": "Opening hours"},
    "tax.detail.cases": {"id": "Kasus usaha ini", "en": "This business's cases"},
    "tax.chart.months": {"id": "24 bulan: dilaporkan, seharusnya, dibayar", "en": "24 months: declared, expected, paid"},
    "tax.chart.declared": {"id": "Pajak atas omzet dilaporkan", "en": "Tax on declared turnover"},
    "tax.chart.expected": {"id": "Pajak atas penjualan tercatat", "en": "Tax on recorded sales"},
    "tax.chart.paid": {"id": "Dibayar", "en": "Paid"},
    "tax.chart.days": {"id": "Penjualan harian tercatat, 30 hari terakhir", "en": "Recorded daily sales, last 30 days"},
    "tax.chart.sales": {"id": "Penjualan", "en": "Sales"},
    "tax.chart.rupiah": {"id": "Rupiah", "en": "Rupiah"},
    "tax.case.title": {"id": "Kasus", "en": "Case"},
    "tax.case.save": {"id": "Simpan", "en": "Save"},
    "tax.case.saved": {"id": "Tersimpan.", "en": "Saved."},
    "tax.case.closed": {"id": "Kasus ditutup.", "en": "Case closed."},
    "tax.case.error.bad_status": {"id": "Status tidak dikenal.", "en": "Unknown status."},
    "tax.case.error.no_case": {"id": "Kasus tidak ditemukan.", "en": "No such case."},
    "tax.case.error.bad_date": {"id": "Tenggat harus berupa tanggal (TTTT-BB-HH).", "en": "The due date must be a date (YYYY-MM-DD)."},
    "tax.upload.returns": {"id": "Unggah SPTPD & pembayaran (CSV/XLSX: npwpd, month, turnover_idr, tax_paid_idr, paid_on)",
                           "en": "Upload returns & payments (CSV/XLSX: npwpd, month, turnover_idr, tax_paid_idr, paid_on)"},
    "tax.upload.transactions": {"id": "Unggah transaksi tapping box (CSV/XLSX: device, receipt, time, amount)",
                                "en": "Upload tapping-box transactions (CSV/XLSX: device, receipt, time, amount)"},
    "tax.upload.drop": {"id": "Seret berkas ke sini atau klik", "en": "Drop a file here or click"},
    "tax.upload.stored": {"id": "{accepted} baris disimpan, {duplicate} duplikat (dihitung sekali).",
                          "en": "{accepted} rows stored, {duplicate} duplicates (counted once)."},
    "tax.upload.refused": {"id": "Berkas ditolak, tidak ada yang disimpan: {rejected} baris bermasalah.",
                           "en": "File refused, nothing stored: {rejected} rows with problems."},
    "tax.upload.row": {"id": "Baris {row}", "en": "Row {row}"},
    "tax.upload.bad_file": {"id": "Berkas tidak dapat dibaca: {reason}", "en": "The file cannot be read: {reason}"},
    "tax.upload.not_table": {"id": "bukan CSV atau XLSX", "en": "not a CSV or XLSX file"},
    "tax.reason.not_object": {"id": "baris bukan objek", "en": "row is not an object"},
    "tax.reason.missing": {"id": "{field} kosong", "en": "{field} is missing"},
    "tax.reason.unknown_device": {"id": "perangkat tidak dikenal atau kunci salah: {device}", "en": "unknown device or wrong key: {device}"},
    "tax.reason.bad_time": {"id": "waktu tidak valid {time}", "en": "bad time {time}"},
    "tax.reason.future": {"id": "waktu di masa depan: {time}", "en": "time in the future: {time}"},
    "tax.reason.not_number": {"id": "{field} bukan angka polos: {value} (tulis 1234567, bukan 1.234.567,00)",
                              "en": "{field} is not a plain number: {value} (write 1234567, not 1.234.567,00)"},
    "tax.reason.not_positive": {"id": "{field} harus di atas nol: {value}", "en": "{field} must be above zero: {value}"},
    "tax.reason.absurd": {"id": "{field} tidak masuk akal: {value}", "en": "{field} is absurd: {value}"},
    "tax.reason.duplicate_batch": {"id": "struk sama dengan baris {row}", "en": "same receipt as row {row}"},
    "tax.reason.already_stored": {"id": "struk sudah tersimpan", "en": "receipt already stored"},
    "tax.reason.unknown_business": {"id": "tidak ada usaha dengan NPWPD {npwpd}", "en": "no business with NPWPD {npwpd}"},
    "tax.reason.bad_month": {"id": "bulan tidak valid {month} (TTTT-BB)", "en": "bad month {month} (YYYY-MM)"},
    "tax.reason.bad_date": {"id": "tanggal tidak valid {date} (TTTT-BB-HH)", "en": "bad date {date} (YYYY-MM-DD)"},
    "tax.reason.negative": {"id": "{field} negatif: {value}", "en": "{field} is negative: {value}"},
    "tax.reason.future_month": {"id": "bulan {month} belum berakhir", "en": "month {month} has not ended"},
    "tax.reason.duplicate_month": {"id": "usaha dan bulan sama dengan baris {row}", "en": "same business and month as row {row}"},
}


def explain(kind: str, facts: dict, lang: str) -> str:
    """A flag of tax.flags in words with its numbers, e.g. "Oktober 2026: dibayar Rp 2.100.000, 38 % dari
    pajak 10 % atas penjualan tercatat Rp 55.300.000"."""
    from i18n import t
    from i18n.format import day_text, month_text, number, percent, percent_whole, rupiah, weekday_time

    def change(fraction: float) -> str:
        return ("+" if fraction >= 0 else "−") + percent(abs(fraction), lang)

    if kind == "underpaid":
        return t("tax.explain.underpaid", lang).format(month=month_text(facts["month"], lang), paid=rupiah(facts["paid_idr"], lang),
                                                       share=percent_whole(facts["share"], lang), rate=percent_whole(facts["rate"], lang),
                                                       sales=rupiah(facts["sales_idr"], lang))
    if kind == "silent":
        return t("tax.explain.silent", lang).format(device=facts["device"], since=weekday_time(facts["since"], lang),
                                                    hours=number(facts["open_hours"], lang))
    if kind == "dip":
        return t("tax.explain.dip", lang).format(
            month=month_text(facts["month"], lang), sales=rupiah(facts["sales_idr"], lang), change=change(facts["own_change"]),
            baseline=rupiah(facts["baseline_idr"], lang), yoy=change(facts["yoy_change"]), peer_change=change(facts["peer_change"]),
            peers=t("tax.explain.peers_local" if facts["peers_local"] else "tax.explain.peers_city", lang))
    if facts.get("missing"):
        return t("tax.explain.missing", lang).format(month=month_text(facts["month"], lang), due=day_text(facts["due_on"], lang),
                                                     days=number(facts["days_late"], lang), expected=rupiah(facts["expected_idr"], lang))
    return t("tax.explain.late", lang).format(month=month_text(facts["month"], lang), paid=rupiah(facts["paid_idr"], lang),
                                              paid_on=day_text(facts["paid_on"], lang), days=number(facts["days_late"], lang),
                                              due=day_text(facts["due_on"], lang))
