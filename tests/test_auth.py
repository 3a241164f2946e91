"""Accounts, the audit log and the policy tables, on their own (store on SQLite and PostgreSQL)."""
from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest

from auth import audit, users
from auth.policy import API_KEY, LOGIN, OPEN, Account, route_permission
from routes.auth import output_permission


def test_passwords_are_hashed_with_scrypt_and_checked(engine):
    user = users.create_user(engine, "Petugas.Satu", "correct horse battery", "operator")
    assert user.username == "petugas.satu" and user.password_hash.startswith("scrypt:")
    assert "correct horse" not in user.password_hash
    assert users.authenticate(engine, "petugas.satu", "correct horse battery").role == "operator"
    assert users.authenticate(engine, "petugas.satu", "wrong") is None
    assert users.authenticate(engine, "nobody", "correct horse battery") is None


@pytest.mark.parametrize("args,message", [
    (("x", "long enough password", "operator"), "user name"),
    (("ok-name", "short", "operator"), "at least 10"),
    (("ok-name", "long enough password", "superuser"), "role must be"),
    (("ok-name", "long enough password", "agency"), "agency code"),
])
def test_bad_accounts_are_refused_with_a_reason(engine, args, message):
    with pytest.raises(users.UserError, match=message):
        users.create_user(engine, *args)


def test_nobody_switches_off_or_demotes_their_own_account(engine):
    users.create_user(engine, "kepala.data", "long enough password", "admin")
    for change in ({"active": False}, {"role": "operator"}, {"role": "agency", "agency": "DLH"}):
        with pytest.raises(users.UserError, match="your own account"):
            users.update_user(engine, "kepala.data", by="kepala.data", **change)
    assert users.update_user(engine, "kepala.data", role="admin", active=True, by="kepala.data").role == "admin"
    assert users.authenticate(engine, "kepala.data", "long enough password").role == "admin"  # nothing was changed
    assert users.update_user(engine, "kepala.data", role="operator", by="admin").role == "operator"  # another admin may
    assert not users.update_user(engine, "kepala.data", active=False, by="admin").active


def test_reset_and_deactivation_end_sessions(engine):
    user = users.create_user(engine, "dlh1", "long enough password", "agency", "DLH")
    assert users.user_by_session_token(engine, user.session_token).agency == "DLH"
    users.set_password(engine, "dlh1", "another long password")
    assert users.user_by_session_token(engine, user.session_token) is None
    assert users.authenticate(engine, "dlh1", "another long password")
    token = users.list_users(engine)[0].session_token
    users.update_user(engine, "dlh1", active=False)
    assert users.user_by_session_token(engine, token) is None
    assert users.authenticate(engine, "dlh1", "another long password") is None


def test_demo_users_and_first_admin(engine):
    assert sorted(users.ensure_demo_users(engine)) == sorted(["admin", "operator", "planner", "bpbd", "agency", "viewer", "tax", "leader"])
    assert users.ensure_demo_users(engine) == []
    assert users.authenticate(engine, "agency", "demo").agency == "DLH"
    assert users.ensure_admin(engine, "kepala", "a long admin password") is True
    assert users.ensure_admin(engine, "kepala", "a long admin password") is False


def test_command_line_creates_resets_and_lists(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert users.main(["create", "ops", "--role", "operator", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert users.main(["reset-password", "ops", "--password-stdin"]) == 2
    assert users.main(["list"]) == 0
    out = capsys.readouterr()
    assert "created ops (operator)" in out.out and "ops\toperator\t-\tactive" in out.out and "at least 10" in out.err


def test_audit_is_searched_by_user_action_and_time(engine):
    start = datetime(2026, 5, 1, 8)
    audit.record(engine, "login.ok", username="operator", ip="10.0.0.5", time=start)
    audit.record(engine, "live.open", username="operator", target="camera:3", time=start + timedelta(minutes=1))
    audit.record(engine, "live.close", username="operator", target="camera:3", detail={"duration_s": 61.5}, time=start + timedelta(minutes=2))
    audit.record(engine, "login.ok", username="bpbd", time=start + timedelta(days=1))
    assert [e["action"] for e in audit.search(engine, username="operator")] == ["live.close", "live.open", "login.ok"]
    assert audit.search(engine, action="live.close")[0]["detail"] == {"duration_s": 61.5}
    assert len(audit.search(engine, action="live")) == 2 and audit.search(engine, action="liv") == []
    assert audit.search(engine, action="%") == []  # user input is no LIKE pattern
    assert [e["username"] for e in audit.search(engine, since=start + timedelta(hours=1))] == ["bpbd"]
    assert len(audit.search(engine, until=start + timedelta(minutes=1))) == 1


def test_route_table():
    assert route_permission("/masuk") == OPEN and route_permission("/masukan") == LOGIN
    assert route_permission("/api/flood/readings") == API_KEY
    assert route_permission("/api/flood/alerts/3/cap.xml") == "flood"
    assert route_permission("/api/coverage/export.gpkg") == "coverage"
    assert route_permission("/api/whatever") == "admin" and route_permission("/api") == "admin"
    assert route_permission("/cameras/3/live.mjpg") == LOGIN and route_permission("/kamera") == LOGIN


def test_output_table():
    assert output_permission("cam-wall") == "camera" and output_permission({"type": "cam-tile", "index": 2}) == "camera"
    assert output_permission("flood-cap") == "flood" and output_permission("cov-map") == "coverage"
    assert output_permission("counts-in-view") == "map" and output_permission("_pages_content") == LOGIN
    assert output_permission("camera-wall") is None and output_permission({"index": 1}) is None and output_permission(None) is None


def test_camera_groups_and_complaint_views():
    bpbd, viewer, operator, agency = Account("b", "bpbd"), Account("v", "viewer"), Account("o", "operator"), Account("a", "agency", "DLH")
    assert bpbd.may_use_camera("live", "bpbd") and not bpbd.may_use_camera("live", "lalu_lintas")
    assert operator.may_use_camera("snapshot", "dlh") and not viewer.may_use_camera("thumbnail", "bpbd")
    assert not Account("p", "planner").may_use_camera("live", "bpbd") and not operator.may_use_camera("other", None)
    record = {"id": 1, "agency": "DLH", "description": "x", "reporter_name": "Maria", "reporter_phone": "+62"}
    assert viewer.complaint_view(record) == {"id": 1, "agency": "DLH", "description": "x"}
    assert operator.complaint_view(record) == record and agency.complaint_view(record) == record
    assert agency.complaint_view({**record, "agency": "PUPR"}) is None
    assert Account("x", "admin").can(None) and not operator.can(None)  # a page declaring no permission: admins only
