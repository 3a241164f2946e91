"""Texts that form controls show by themselves (dcc.Dropdown's search box, buttons and counts)."""

TEXT: dict[str, dict[str, str]] = {
    "dropdown.placeholder": {"id": "Pilih…", "en": "Select…"},
    "dropdown.label.select_all": {"id": "Pilih semua", "en": "Select all"},
    "dropdown.label.deselect_all": {"id": "Batalkan semua", "en": "Deselect all"},
    "dropdown.label.selected_count": {"id": "{num_selected} dipilih", "en": "{num_selected} selected"},
    "dropdown.label.search": {"id": "Cari", "en": "Search"},
    "dropdown.label.clear_search": {"id": "Hapus pencarian", "en": "Clear search"},
    "dropdown.label.clear_selection": {"id": "Hapus pilihan", "en": "Clear selection"},
    "dropdown.label.no_options_found": {"id": "Tidak ada yang cocok", "en": "No options found"},
}
"""dropdown.label.* are exactly the keys of dcc.Dropdown's `labels` prop (checked in tests/test_i18n.py)."""
