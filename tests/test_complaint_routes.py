"""The complaints desk over HTTP (Flask test client on the real app): the public form (CSRF, honeypot,
rate limit, photo without EXIF), the ticket look-up without personal data, Open311 GeoReport v2 in JSON
and XML against the fields the spec requires, photos and callbacks refused to roles without the right."""
from __future__ import annotations

import io
import json
import re

import pytest
from lxml import etree
from PIL import Image

from tests.conftest import csrf_token_of, login_client

API_KEY = "open311-test-key"
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description", "agency_responsible",
                  "service_notice", "requested_datetime", "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
                  "lat", "long", "media_url"}
"""GeoReport v2: the fields of a service and of a service request (https://wiki.open311.org/GeoReport_v2)."""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from tests.conftest import build_app
    from config import Settings

    settings = Settings.from_env({"INSTANCE_DIR": str(tmp_path_factory.mktemp("instance")), "TILE_URL": "", "CAMERA_READERS": "0",
                                  "DEMO_DATA": "0", "OPEN311_API_KEYS": API_KEY, "PUBLIC_REPORT_RATE_LIMIT": "4 per hour"})
    return build_app(settings)


def _jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 3
    exif[0x8825] = {2: (3.0, 41.0, 43.0)}  # GPS latitude: where the reporter stood
    exif[0x010F] = "Merek"
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "blue").save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def _submit(client, **fields):
    token = csrf_token_of(client.get("/publik/lapor").get_data(as_text=True))
    data = {"csrf_token": token, "category": "sampah", "description": "Sampah menumpuk", "lat": "-3,6954", "lon": "128,1814", **fields}
    return client.post("/publik/lapor", data=data, content_type="multipart/form-data")


def _ticket_of(response) -> str:
    return re.search(r'id="pub-ticket">([^<]+)<', response.get_data(as_text=True)).group(1)


def test_the_public_form_takes_a_report_and_answers_with_an_unguessable_ticket(app):
    client = app.server.test_client()
    form = client.get("/publik/lapor")
    assert form.status_code == 200 and 'name="website"' in form.get_data(as_text=True)  # the honeypot is there
    hostile = "<script>alert('x')</script> di depan pasar"
    answer = _submit(client, description=hostile, name="Ani Rahayu", phone="081234567890", photo=(io.BytesIO(_jpeg_with_exif()), "foto.jpg"))
    assert answer.status_code == 200
    ticket = _ticket_of(answer)
    assert re.fullmatch(r"LPR-[2-9A-HJ-NP-Z]{10}", ticket)

    page = client.get(f"/publik/tiket?tiket={ticket}").get_data(as_text=True)
    assert "Baru" in page and "DLH" in page
    assert "Ani" not in page and "0812" not in page and "<script>alert" not in page

    from complaints.store import read_detail

    engine = app.server.extensions["ambon_complaints"]["engine"]
    detail = read_detail(engine, 1)
    assert detail["description"] == hostile and detail["reporter_name"] == "Ani Rahayu"
    assert (detail["lon"], detail["lat"]) == (128.1814, -3.6954)
    photo_id = detail["photos"][0]["id"]
    assert client.get(f"/api/complaints/photos/{photo_id}").status_code in (302, 401)  # nobody logged in

    viewer = login_client(app.server.test_client(), "viewer")
    assert viewer.get(f"/api/complaints/photos/{photo_id}").status_code == 404
    operator = login_client(app.server.test_client(), "operator")
    photo = operator.get(f"/api/complaints/photos/{photo_id}")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert dict(Image.open(io.BytesIO(photo.data)).getexif()) == {0x0112: 3}  # GPS and maker gone, orientation kept


def test_bad_submissions_keep_what_was_typed_and_say_why(app):
    client = app.server.test_client()
    answer = _submit(client, lat="", lon="", description="Lampu jalan mati", photo=(io.BytesIO(b"GIF89a fake"), "x.gif"))
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "JPEG atau PNG" in page and "Lampu jalan mati" in page
    no_place = _submit(client, lat="", lon="", description="Lampu jalan mati")
    assert no_place.status_code == 400 and "Pilih tempat di peta" in no_place.get_data(as_text=True)
    bot = _submit(client, website="http://spam.example")
    assert bot.status_code == 400 and "pub-ticket" not in bot.get_data(as_text=True)
    no_token = client.post("/publik/lapor", data={"category": "sampah", "description": "x", "lat": "-3.7", "lon": "128.18"})
    assert no_token.status_code == 400 and "CSRF" in no_token.get_data(as_text=True)


def test_the_public_form_is_rate_limited_per_address(app):
    client = app.server.test_client()

    def send(address: str) -> int:
        token = csrf_token_of(client.get("/publik/lapor").get_data(as_text=True))
        data = {"csrf_token": token, "category": "jalan", "description": "laporan", "lat": "-3.7", "lon": "128.18"}
        return client.post("/publik/lapor", data=data, environ_base={"REMOTE_ADDR": address}).status_code

    assert [send("10.9.9.9") for _ in range(6)] == [200] * 4 + [429] * 2
    assert send("10.9.9.10") == 200


def test_open311_services_and_definitions_in_json_and_xml(app):
    client = app.server.test_client()
    services = client.get("/open311/v2/services.json").get_json()
    assert {s["service_code"] for s in services} >= {"sampah", "jalan", "banjir"}
    assert all(set(s) == SERVICE_FIELDS and s["metadata"] is False and s["type"] == "realtime" for s in services)
    xml = etree.fromstring(client.get("/open311/v2/services.xml").data)
    assert xml.tag == "services" and {c.tag for c in xml[0]} == SERVICE_FIELDS
    definition = client.get("/open311/v2/services/sampah.json").get_json()
    assert definition == {"service_code": "sampah", "attributes": []}
    assert etree.fromstring(client.get("/open311/v2/services/sampah.xml").data).findtext("service_code") == "sampah"
    missing = client.get("/open311/v2/services/nope.xml")
    assert missing.status_code == 404 and etree.fromstring(missing.data).tag == "errors"


def test_open311_requests_post_and_read_without_personal_data(app):
    client = app.server.test_client()
    refused = client.post("/open311/v2/requests.json", data={"api_key": "wrong", "service_code": "jalan", "lat": "-3.7", "long": "128.19"})
    assert refused.status_code == 403 and refused.get_json()[0]["code"] == 403
    bad_place = client.post("/open311/v2/requests.json", data={"api_key": API_KEY, "service_code": "jalan", "description": "x"})
    assert bad_place.status_code == 400 and "lat and long" in bad_place.get_json()[0]["description"]
    made = client.post("/open311/v2/requests.xml", data={"api_key": API_KEY, "service_code": "jalan", "lat": "-3.70", "long": "128.19",
                                                          "description": "Jalan berlubang dekat sekolah", "first_name": "Budi",
                                                          "last_name": "Santoso", "phone": "0813999", "email": "budi@example.org"})
    assert made.status_code == 201
    request_id = etree.fromstring(made.data).findtext("request/service_request_id")
    assert request_id.startswith("LPR-")

    one = client.get(f"/open311/v2/requests/{request_id}.json").get_json()
    assert len(one) == 1 and set(one[0]) == REQUEST_FIELDS
    record = one[0]
    assert (record["status"], record["service_code"], record["agency_responsible"], record["lat"], record["long"]) == ("open", "jalan", "PUPR", -3.70, 128.19)
    assert record["requested_datetime"].endswith("+09:00") and record["expected_datetime"].endswith("+09:00")
    everything = json.dumps(client.get("/open311/v2/requests.json?service_code=jalan&status=open").get_json())
    assert request_id in everything
    for personal in ("Budi", "Santoso", "0813999", "budi@example.org"):
        assert personal not in everything
    xml = etree.fromstring(client.get(f"/open311/v2/requests/{request_id}.xml").data)
    assert xml.tag == "service_requests" and {c.tag for c in xml[0]} == REQUEST_FIELDS
    assert client.get("/open311/v2/requests.json?status=closed&service_code=jalan").get_json() == []
    assert client.get("/open311/v2/requests.json?start_date=yesterday").status_code == 400
    assert client.get("/open311/v2/requests/LPR-NOPE.json").status_code == 404


def test_desk_callbacks_are_refused_to_roles_without_the_complaints_permission(app):
    viewer = login_client(app.server.test_client(), "viewer")
    body = {"output": "cx-detail-body.children...cx-detail-message.children...cx-detail-note.value", "outputs": [],
            "inputs": [], "state": [], "changedPropIds": []}
    answer = viewer.post("/_dash-update-component", json=body)
    assert answer.status_code == 403


def test_a_camera_lists_the_recent_complaints_in_its_view_without_personal_data(app):
    from sqlalchemy import insert

    from store.models import Camera

    citizen = app.server.test_client()
    token = csrf_token_of(citizen.get("/publik/lapor").get_data(as_text=True))
    citizen.post("/publik/lapor", data={"csrf_token": token, "category": "sampah", "description": "Di depan kamera", "lat": "-3.6954",
                                        "lon": "128.1814", "name": "Ani"}, environ_base={"REMOTE_ADDR": "10.1.1.1"})
    engine = app.server.extensions["ambon_complaints"]["engine"]
    with engine.begin() as conn:
        conn.execute(insert(Camera).values(id=901, name="Pasar", kind="road", lon=128.1814, lat=-3.6957, heading_deg=None, fov_deg=None,
                                           range_m=80.0, stream_url="demo://901"))
    viewer = login_client(app.server.test_client(), "viewer")
    listed = viewer.get("/api/complaints/in-view/901").get_json()
    assert listed and all(set(item) == {"id", "ticket", "received", "status", "category", "url"} for item in listed)
    assert "Ani" not in json.dumps(listed)
    assert app.server.test_client().get("/api/complaints/in-view/901").status_code == 401
