"""The complaints desk's domain: life cycle, working-day deadlines, duplicates, and the store's
transitions, merges, lists and figures on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from complaints import lifecycle
from complaints.deadlines import WorkingCalendar, deadline_state
from config.complaints import DeadlineRules
from complaints.duplicates import distance_m, suggest_duplicates, text_similarity
from complaints.lifecycle import IllegalTransition, next_state
from complaints import store

OPERATOR = store.Actor("operator", lifecycle.OPERATOR)
DLH = store.Actor("dlh", lifecycle.AGENCY, "DLH")
PUPR = store.Actor("pupr", lifecycle.AGENCY, "PUPR")


# --- life cycle -------------------------------------------------------------------------------

@pytest.mark.parametrize("state, action, actor, kwargs, expected", [
    ("baru", "verify", "operator", {}, "terverifikasi"),
    ("baru", "reject", "operator", {"reason": "di_luar_kota"}, "ditolak"),
    ("terverifikasi", "route", "operator", {"agency": "DLH"}, "diteruskan"),
    ("diteruskan", "accept", "agency", {}, "diproses"),
    ("diteruskan", "return", "agency", {"note": "bukan wewenang kami"}, "terverifikasi"),
    ("diproses", "resolve", "agency", {"note": "sampah diangkut"}, "diselesaikan"),
    ("diselesaikan", "close", "operator", {}, "selesai"),
    ("selesai", "reopen", "operator", {"note": "pelapor: masih ada"}, "dibuka_kembali"),
    ("dibuka_kembali", "accept", "agency", {}, "diproses"),
    ("diproses", "note", "agency", {"note": "tim ke lokasi"}, "diproses"),
    ("diproses", "note", "operator", {"note": "ditanyakan"}, "diproses"),
])
def test_legal_transitions(state, action, actor, kwargs, expected):
    assert next_state(state, action, actor, **kwargs) == expected


@pytest.mark.parametrize("state, action, actor, kwargs, code", [
    ("baru", "close", "operator", {}, "not_from_state"),
    ("baru", "resolve", "agency", {"note": "x"}, "not_from_state"),
    ("terverifikasi", "accept", "agency", {}, "not_from_state"),
    ("diteruskan", "accept", "operator", {}, "not_your_move"),
    ("baru", "verify", "agency", {}, "not_your_move"),
    ("baru", "reject", "operator", {"reason": "bosan"}, "reason_required"),
    ("diproses", "resolve", "agency", {"note": "  "}, "note_required"),
    ("diteruskan", "return", "agency", {}, "note_required"),
    ("terverifikasi", "route", "operator", {}, "agency_required"),
    ("selesai", "note", "agency", {"note": "x"}, "not_from_state"),
    ("baru", "<script>", "operator", {}, "unknown_action"),
])
def test_illegal_transitions_are_refused_with_a_reason(state, action, actor, kwargs, code):
    with pytest.raises(IllegalTransition) as refused:
        next_state(state, action, actor, **kwargs)
    assert refused.value.code == code


def test_allowed_actions_follow_the_table():
    assert lifecycle.allowed_actions("baru", "operator") == ["verify", "reject", "note", "merge"]
    assert lifecycle.allowed_actions("diteruskan", "agency") == ["accept", "return", "note"]


# --- deadlines --------------------------------------------------------------------------------

CALENDAR = WorkingCalendar()


def test_the_idul_fitri_week_with_its_collective_leave_is_not_counted():
    # Idul Fitri 1446 H: 31 March and 1 April 2025 holidays, cuti bersama 2-4 and 7 April;
    # 28 March (Friday) is the Nyepi cuti bersama. Received Thursday 27 March, 10:00 WIT.
    received = datetime(2025, 3, 27, 1, 0)
    for day in (date(2025, 3, 28), date(2025, 3, 31), date(2025, 4, 1), date(2025, 4, 2), date(2025, 4, 3), date(2025, 4, 4), date(2025, 4, 7)):
        assert not CALENDAR.is_working_day(day), day
    # working days 8, 9, 10 April: the response is due at the end of 10 April WIT (15:00 UTC)
    assert CALENDAR.deadline(received, 3) == datetime(2025, 4, 10, 15, 0)
    # 5 working days: 8, 9, 10, 11, 14 April
    assert CALENDAR.deadline(received, 5) == datetime(2025, 4, 14, 15, 0)
    assert CALENDAR.elapsed(received, datetime(2025, 4, 8, 3, 0)) == 1


def test_a_report_late_in_the_evening_counts_from_its_local_day():
    # 16:00 UTC Friday is 01:00 WIT Saturday: Monday is the first working day, Wednesday the third
    assert CALENDAR.deadline(datetime(2026, 11, 27, 16, 0), 3) == datetime(2026, 12, 2, 15, 0)
    assert CALENDAR.deadline(datetime(2026, 11, 27, 2, 0), 3) == datetime(2026, 12, 2, 15, 0)  # Friday 11:00 WIT: Mon, Tue, Wed


def test_a_local_holiday_moves_the_deadline():
    with_local = WorkingCalendar([date(2026, 12, 1)])
    assert with_local.deadline(datetime(2026, 11, 27, 2, 0), 3) == datetime(2026, 12, 3, 15, 0)


def test_deadlines_work_on_arrays_and_rules_parse_from_settings():
    received = np.array([datetime(2026, 11, 27, 2), datetime(2026, 11, 30, 2)], dtype="datetime64[s]")
    assert list(CALENDAR.deadline(received, np.array([3, 5]))) == [np.datetime64("2026-12-02T15:00:00"), np.datetime64("2026-12-07T15:00:00")]
    rules = DeadlineRules.parse("2", "sengketa=20")
    assert (rules.response_days, rules.completion_for("sengketa"), rules.completion_for(None)) == (2, 20, 5)
    with pytest.raises(ValueError, match="KIND=DAYS"):
        DeadlineRules.parse("3", "lain=4")


def test_deadline_states():
    now, due = datetime(2026, 12, 1, 12), datetime(2026, 12, 2, 6)
    assert deadline_state(due, None, now) == "due_soon"
    assert deadline_state(due, None, now - timedelta(days=3)) == "on_time"
    assert deadline_state(due, None, due + timedelta(seconds=1)) == "overdue"
    assert deadline_state(due, due, now) == "met" and deadline_state(due, due + timedelta(hours=1), now) == "missed"


# --- duplicates -------------------------------------------------------------------------------

def _candidates(rows):
    return pd.DataFrame(rows, columns=["id", "category", "lon", "lat", "created_at", "description"])


def test_duplicates_same_category_near_and_recent_or_same_words():
    here = {"id": 1, "category": "sampah", "lon": 128.18, "lat": -3.70, "created_at": datetime(2026, 11, 20), "description": "Sampah menumpuk di depan pasar"}
    metre_lat = 1 / 111_000
    candidates = _candidates([
        (1, "sampah", 128.18, -3.70, datetime(2026, 11, 20), "itself"),
        (2, "sampah", 128.18, -3.70 + 80 * metre_lat, datetime(2026, 11, 25), "bau sekali"),            # 80 m, 5 days: place
        (3, "sampah", 128.18, -3.70 + 150 * metre_lat, datetime(2026, 11, 21), "bau sekali"),           # 150 m: no
        (4, "jalan", 128.18, -3.70, datetime(2026, 11, 21), "lubang"),                                   # other category: no
        (5, "sampah", 128.18, -3.70, datetime(2026, 12, 10), "bau sekali"),                              # 20 days: no
        (6, "drainase", 128.25, -3.65, datetime(2026, 11, 22), "sampah menumpuk di depan pasar!"),       # same words: text
    ])
    found = suggest_duplicates(here, candidates)
    assert dict(zip(found.id, found.why)) == {6: "text", 2: "place"}
    assert list(found.id) == [6, 2]  # most similar first
    assert 79 < found.set_index("id").distance_m[2] < 81


def test_distance_and_similarity_by_hand():
    assert distance_m(128.0, 0.0, 128.0, 1.0) == pytest.approx(111_195, rel=1e-3)
    assert text_similarity("jalan rusak parah", "Jalan RUSAK parah.") == 1.0
    assert text_similarity("a b", "c d") == 0.0


# --- the store --------------------------------------------------------------------------------

NOW = datetime(2026, 11, 30, 1, 0)  # Monday 10:00 WIT


def _submit(engine, **overrides):
    fields = dict(category="sampah", description="Sampah menumpuk", lon=128.18, lat=-3.70, channel="web", actor="warga",
                  reporter_name="Ani", reporter_phone="0812", now=NOW)
    return store.submit_complaint(engine, **{**fields, **overrides})


def test_a_complaint_lives_from_receipt_to_closure_with_its_timeline(engine):
    made = _submit(engine)
    assert made["ticket"].startswith("LPR-") and len(made["ticket"]) == 14
    complaint_id = made["id"]
    detail = store.read_detail(engine, complaint_id)
    assert (detail["status"], detail["agency"], detail["place_note"]) == ("baru", "DLH", None)
    assert detail["due_response_at"] == datetime(2026, 12, 3, 15, 0) and detail["next_due_at"] == detail["due_response_at"]
    assert detail["due_at"] == datetime(2026, 12, 7, 15, 0)

    step = NOW + timedelta(hours=1)
    assert store.apply_action(engine, complaint_id, "verify", OPERATOR, now=step) == "terverifikasi"
    assert store.apply_action(engine, complaint_id, "route", OPERATOR, agency="PUPR", now=step) == "diteruskan"
    with pytest.raises(IllegalTransition) as refused:  # DLH may not touch what went to PUPR
        store.apply_action(engine, complaint_id, "accept", DLH, now=step)
    assert refused.value.code == "not_your_complaint"
    store.apply_action(engine, complaint_id, "return", PUPR, note="Bukan kewenangan PUPR", now=step)
    assert store.read_detail(engine, complaint_id)["status"] == "terverifikasi"  # back at the Command Center
    store.apply_action(engine, complaint_id, "route", OPERATOR, agency="DLH", now=step)
    store.apply_action(engine, complaint_id, "accept", DLH, now=NOW + timedelta(days=1))
    store.apply_action(engine, complaint_id, "note", DLH, note="Truk dijadwalkan", public=True, photo=(b"\xff\xd8jpeg", "image/jpeg"), now=NOW + timedelta(days=1))
    store.apply_action(engine, complaint_id, "resolve", DLH, note="Sampah diangkut", public=True, now=NOW + timedelta(days=2))
    with pytest.raises(IllegalTransition):
        store.apply_action(engine, complaint_id, "resolve", DLH, note="again", now=NOW + timedelta(days=2))
    store.apply_action(engine, complaint_id, "close", OPERATOR, now=NOW + timedelta(days=3))

    detail = store.read_detail(engine, complaint_id)
    assert detail["status"] == "selesai" and detail["next_due_at"] is None
    assert (detail["response_days"], detail["completion_days"]) == (1, 2)
    actions = [(e["action"], e["actor"], e["to_state"]) for e in detail["events"]]
    assert actions == [("submit", "warga", "baru"), ("verify", "operator", "terverifikasi"), ("route", "operator", "diteruskan"),
                       ("return", "pupr", "terverifikasi"), ("route", "operator", "diteruskan"), ("accept", "dlh", "diproses"),
                       ("note", "dlh", "diproses"), ("resolve", "dlh", "diselesaikan"), ("close", "operator", "selesai")]
    assert detail["events"][3]["note"] == "Bukan kewenangan PUPR"
    assert len(detail["photos"]) == 1 and not detail["photos"][0]["from_reporter"]

    public = store.public_ticket(engine, made["ticket"].lower())
    assert public["status"] == "selesai"
    assert "reporter_name" not in public and "Ani" not in repr(public) and "0812" not in repr(public)
    notes = [e["note"] for e in public["events"] if e["note"]]
    assert notes == ["Truk dijadwalkan", "Sampah diangkut"]  # public notes only; the agency's return note is internal
    assert store.public_ticket(engine, "LPR-NOSUCHTICK") is None


def test_a_submission_refuses_bad_input(engine):
    for overrides, code in (({"category": "<script>"}, "category"), ({"description": "   "}, "text"), ({"lon": "abc"}, "place"),
                            ({"lon": float("nan")}, "place"), ({"lon": 2.35, "lat": 48.85}, "place"), ({"channel": "fax"}, "channel")):
        with pytest.raises(store.InvalidComplaint) as refused:
            _submit(engine, **overrides)
        assert refused.value.code == code


def test_merged_duplicates_follow_the_main_complaint_and_keep_their_reporters(engine):
    main = _submit(engine)
    dup = _submit(engine, reporter_name="Budi", reporter_phone="0813", lat=-3.7003, now=NOW + timedelta(hours=2))
    other = _submit(engine, category="jalan", description="Jalan berlubang", lon=128.20, now=NOW + timedelta(hours=3))
    suggested = store.duplicate_candidates(engine, store.read_detail(engine, main["id"]))
    assert list(suggested.id) == [dup["id"]]
    assert store.merge_complaints(engine, main["id"], [dup["id"]], OPERATOR, now=NOW + timedelta(hours=4)) == 1
    detail = store.read_detail(engine, main["id"])
    assert [(m["ticket"], m["reporter_name"]) for m in detail["merged"]] == [(dup["ticket"], "Budi")]
    rows, total = store.desk_page(engine, store.DeskFilter(), actor=OPERATOR, now=NOW)
    assert total == 2 and set(rows.id) == {main["id"], other["id"]}
    store.apply_action(engine, main["id"], "verify", OPERATOR, now=NOW + timedelta(hours=5))
    assert store.public_ticket(engine, dup["ticket"])["status"] == "terverifikasi"
    assert store.public_ticket(engine, dup["ticket"])["follows"] == main["ticket"]
    with pytest.raises(IllegalTransition) as refused:
        store.apply_action(engine, dup["id"], "verify", OPERATOR)
    assert refused.value.code == "merged"
    with pytest.raises(IllegalTransition):
        store.merge_complaints(engine, main["id"], [other["id"]], DLH)


def test_desk_lists_sort_by_deadline_and_agencies_see_only_their_own(engine):
    late = _submit(engine, now=NOW - timedelta(days=10))
    soon = _submit(engine, now=NOW - timedelta(days=3))
    fresh = _submit(engine, category="jalan", now=NOW)
    rows, total = store.desk_page(engine, store.DeskFilter(), actor=OPERATOR, now=NOW)
    assert list(rows.id) == [late["id"], soon["id"], fresh["id"]] and total == 3
    overdue, _ = store.desk_page(engine, store.DeskFilter(deadline="overdue"), actor=OPERATOR, now=NOW)
    assert list(overdue.id) == [late["id"]]
    for made in (late, soon, fresh):
        store.apply_action(engine, made["id"], "verify", OPERATOR, now=NOW)
        store.apply_action(engine, made["id"], "route", OPERATOR, agency="PUPR" if made is fresh else "DLH", now=NOW)
    queue, total = store.desk_page(engine, store.DeskFilter(states=lifecycle.AWAITING_AGENCY, agencies=("PUPR",)), actor=DLH, now=NOW)
    assert set(queue.id) == {late["id"], soon["id"]} and total == 2  # the filter's agency is overruled by the actor's own
    counts = store.deadline_counts(engine, now=NOW).set_index("agency")
    assert counts.loc["DLH", "overdue"] == 1 and counts.loc["DLH", "open"] == 2


def test_performance_per_agency(engine):
    for offset_days, resolve_after in ((0, 1), (1, 9), (2, None)):
        made = _submit(engine, now=NOW + timedelta(days=offset_days))
        store.apply_action(engine, made["id"], "verify", OPERATOR, now=NOW + timedelta(days=offset_days))
        store.apply_action(engine, made["id"], "route", OPERATOR, agency="DLH", now=NOW + timedelta(days=offset_days))
        store.apply_action(engine, made["id"], "accept", DLH, now=NOW + timedelta(days=offset_days + 1))
        if resolve_after:
            store.apply_action(engine, made["id"], "resolve", DLH, note="ok", now=NOW + timedelta(days=offset_days + resolve_after))
    figures = store.performance(engine, now=NOW + timedelta(days=20))
    summary = figures["summary"].set_index("agency").loc["DLH"]
    assert summary.received == 3 and summary.resolved == 2 and summary.backlog == 1
    assert summary.median_response_days == 1
    assert summary.within_deadline == pytest.approx(0.5)  # 1 working day in time; the one 9 days after is late
    assert list(figures["monthly"].month) == ["2026-11", "2026-12"]
    assert figures["backlog"].open.sum() == 1


def test_deadlines_are_filled_for_rows_from_before_the_desk(engine):
    from sqlalchemy import insert

    from store.models import Complaint

    with engine.begin() as conn:
        conn.execute(insert(Complaint), [dict(ticket=f"OLD-{i}", created_at=NOW - timedelta(days=i), channel="web", category="sampah",
                                              description="lama", status=status, agency="DLH", lon=128.18, lat=-3.7,
                                              responded_at=NOW - timedelta(days=i - 1) if status != "baru" else None)
                                         for i, status in ((5, "baru"), (6, "diproses"))])
    assert store.fill_missing_deadlines(engine, DeadlineRules(), CALENDAR) == 2
    assert store.fill_missing_deadlines(engine, DeadlineRules(), CALENDAR) == 0
    rows, _ = store.desk_page(engine, store.DeskFilter(states=lifecycle.STATES), actor=OPERATOR, now=NOW)
    assert rows.next_due_at.notna().all()


# --- photos -----------------------------------------------------------------------------------

def test_a_photo_keeps_only_its_orientation():
    import io

    from PIL import Image

    from complaints.photos import PhotoRefused, clean_photo

    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90 degrees
    exif[0x010F] = "KameraMerek"  # camera maker
    exif[0x0132] = "2026:11:30 10:00:00"  # date and time
    raw = io.BytesIO()
    Image.new("RGB", (40, 20), "red").save(raw, "JPEG", exif=exif.tobytes())
    cleaned, mime = clean_photo(raw.getvalue())
    kept = Image.open(io.BytesIO(cleaned)).getexif()
    assert mime == "image/jpeg" and dict(kept) == {0x0112: 6}
    png = io.BytesIO()
    Image.new("RGB", (10, 10)).save(png, "PNG")
    assert clean_photo(png.getvalue())[1] == "image/png"
    for data, code in ((b"<script>alert(1)</script>", "photo_type"), (b"GIF89a" + b"\0" * 50, "photo_type"), (raw.getvalue(), "photo_size")):
        with pytest.raises(PhotoRefused) as refused:
            clean_photo(data, max_bytes=len(raw.getvalue()) - 1 if code == "photo_size" else 10**6)
        assert refused.value.code == code


# --- SP4N-LAPOR import ------------------------------------------------------------------------

SP4N_CSV = """Nomor Tracking;Tanggal;Judul;Isi Laporan;Kategori;Lokasi;Latitude;Longitude;Status;Instansi
LAP-001;30/11/2026 09:15;Sampah;Sampah menumpuk <script>alert(1)</script>;persampahan;Pasar Mardika;-3,6954;128,1814;Belum Terverifikasi;
LAP-002;2026-11-29 08:00;Jalan;Jalan berlubang;jalan;Batu Merah;128.19;-3.68;Didisposisikan;PUPR
;;;;;;;;;
LAP-003;31/02/2026;Tanggal mustahil;x;sampah;;-3.7;128.18;;
LAP-004;2026-11-28;Tanpa tempat;x;sampah;;;;;
LAP-005;2026-11-28;Jakarta;Di luar kota;sampah;Monas;-6.1754;106.8272;;
LAP-006;2026-11-28;Kategori lain;x;astrologi;;-3.7;128.18;;
LAP-001;30/11/2026 09:15;Ulang;lagi;sampah;;-3.7;128.18;;
"""


def test_an_sp4n_export_is_imported_row_by_row_and_a_second_import_changes_nothing(engine):
    from complaints.sp4n_import import import_sp4n

    report = import_sp4n(engine, SP4N_CSV.encode(), actor="operator", now=NOW)
    assert [(line["row"], line["ticket"], line["outcome"], line["reason"]) for line in report.lines] == [
        (2, "LAP-001", "taken", None), (3, "LAP-002", "taken", None), (4, None, "empty", None),
        (5, "LAP-003", "refused", "bad_date"), (6, "LAP-004", "refused", "no_place"), (7, "LAP-005", "taken", None),
        (8, "LAP-006", "refused", "unknown_category"), (9, "LAP-001", "refused", "repeated_ticket")]
    first = store.public_ticket(engine, "LAP-001")
    assert first["status"] == "baru" and first["created_at"] == datetime(2026, 11, 30, 0, 15)  # 09:15 WIT
    with engine.connect() as conn:
        from sqlalchemy import select

        from store.models import Complaint

        rows = {r.ticket: r for r in conn.execute(select(Complaint.ticket, Complaint.lon, Complaint.lat, Complaint.place_note,
                                                         Complaint.status, Complaint.agency, Complaint.description))}
    assert (rows["LAP-001"].lon, rows["LAP-001"].lat) == (128.1814, -3.6954)  # decimal commas read
    assert (rows["LAP-002"].lon, rows["LAP-002"].lat, rows["LAP-002"].place_note) == (128.19, -3.68, "swapped")
    assert rows["LAP-005"].place_note == "outside_city"  # kept, marked
    assert rows["LAP-002"].status == "diteruskan" and rows["LAP-002"].agency == "PUPR"
    assert rows["LAP-001"].description == "Sampah menumpuk <script>alert(1)</script>"  # text stays text

    again = import_sp4n(engine, SP4N_CSV.encode(), actor="operator", now=NOW)
    assert again.counts() == {"taken": 0, "updated": 0, "unchanged": 3, "refused": 4, "empty": 1}
    changed = SP4N_CSV.replace("Didisposisikan;PUPR", "Ditindaklanjuti;PUPR")
    assert import_sp4n(engine, changed.encode(), actor="operator", now=NOW).counts()["updated"] == 1
    assert store.public_ticket(engine, "LAP-002")["status"] == "diproses"


def test_an_xlsx_export_is_read_and_other_files_are_refused(engine):
    import io

    from openpyxl import Workbook

    from complaints.sp4n_import import ImportRefused, import_sp4n

    book = Workbook()
    sheet = book.active
    sheet.append(["Nomor Tracking", "Tanggal", "Isi Laporan", "Kategori", "Latitude", "Longitude"])
    sheet.append(["LAP-X1", "2026-11-29 10:00", "Lampu jalan mati", "lalu lintas", "-3.70", "128.18"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert import_sp4n(engine, buffer.getvalue(), actor="operator", now=NOW).counts()["taken"] == 1
    for data, code in ((b"\x89PNG\r\n\x1a\n....", "not_table"), (b"PK\x03\x04 not a workbook", "not_table"),
                       (b"nama,umur\nani,3\n", "no_columns")):
        with pytest.raises(ImportRefused) as refused:
            import_sp4n(engine, data, actor="operator", now=NOW)
        assert refused.value.code == code


# --- cameras ----------------------------------------------------------------------------------

def test_cameras_whose_sector_covers_a_complaint_and_complaints_in_a_camera_view(engine):
    from sqlalchemy import insert

    from store.models import Camera

    metre = 1 / 111_000
    with engine.begin() as conn:
        conn.execute(insert(Camera), [
            dict(id=1, name="Utara", kind="road", lon=128.18, lat=-3.70 - 30 * metre, heading_deg=0.0, fov_deg=60.0, range_m=50.0, stream_url="demo://1"),
            dict(id=2, name="Menjauh", kind="road", lon=128.18, lat=-3.70 - 30 * metre, heading_deg=180.0, fov_deg=60.0, range_m=50.0, stream_url="demo://2"),
            dict(id=3, name="PTZ jauh", kind="road", lon=128.18, lat=-3.70 - 80 * metre, heading_deg=None, fov_deg=None, range_m=60.0, stream_url="demo://3"),
        ])
    made = _submit(engine)
    covering = store.cameras_covering(engine, 128.18, -3.70)
    assert list(covering.id) == [1]  # camera 2 looks away, camera 3 is 80 m off with a 60 m range
    assert 29 < covering.distance_m.iloc[0] < 31
    in_view = store.complaints_in_view(engine, 1, now=NOW + timedelta(days=1))
    assert list(in_view.ticket) == [made["ticket"]]
    assert store.complaints_in_view(engine, 2, now=NOW + timedelta(days=1)).empty
    assert store.complaints_in_view(engine, 1, now=NOW + timedelta(days=1), agency="PUPR").empty


def test_an_agency_sees_and_acts_on_a_complaint_only_once_it_is_routed_to_it(engine):
    made = _submit(engine)  # category sampah: DLH is suggested, not yet routed
    with pytest.raises(IllegalTransition) as refused:
        store.apply_action(engine, made["id"], "note", DLH, note="kami lihat")
    assert refused.value.code == "not_your_complaint"
    assert store.desk_page(engine, store.DeskFilter(states=lifecycle.STATES), actor=DLH, now=NOW)[1] == 0
    assert DLH.may_see("DLH", routed=False) is False and OPERATOR.may_see("DLH", routed=False) is True
    store.apply_action(engine, made["id"], "verify", OPERATOR, now=NOW)
    store.apply_action(engine, made["id"], "route", OPERATOR, agency="DLH", now=NOW)
    assert store.desk_page(engine, store.DeskFilter(states=lifecycle.STATES), actor=DLH, now=NOW)[1] == 1
    assert store.apply_action(engine, made["id"], "accept", DLH, now=NOW) == "diproses"


def test_rows_from_before_the_desk_in_a_routed_state_count_as_routed(engine):
    from sqlalchemy import insert

    from store.models import Complaint

    with engine.begin() as conn:
        conn.execute(insert(Complaint), [dict(ticket="OLD-R", created_at=NOW - timedelta(days=2), channel="web", category="sampah",
                                              description="lama", status="diteruskan", agency="DLH", lon=128.18, lat=-3.7)])
    store.fill_missing_deadlines(engine, DeadlineRules(), CALENDAR)
    rows, total = store.desk_page(engine, store.DeskFilter(states=lifecycle.AWAITING_AGENCY), actor=DLH, now=NOW)
    assert list(rows.ticket) == ["OLD-R"]
