"""The language switch keeps the page (path and query), and the staff's Flask pages (service monitor,
refusals) carry the app's top bar and refuse in the user's language (Flask test client, demo store)."""
import pytest

from tests.conftest import build_app
from config import Settings
from routes.language import same_site_target
from tests.conftest import login_client


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    return build_app(Settings.from_env({"INSTANCE_DIR": str(instance), "TILE_URL": "", "CAMERA_READERS": "0"}))


def test_language_switch_keeps_path_and_query(app):
    client = login_client(app.server.test_client(), "operator")
    back = client.get("/bahasa/en", headers={"Referer": "http://localhost/pengaduan/detail?id=766"})
    assert back.status_code == 302 and back.headers["Location"] == "/pengaduan/detail?id=766"
    chosen = client.get("/bahasa/id?next=/publik/tiket%3Fkode%3DAMB-1")
    assert chosen.headers["Location"] == "/publik/tiket?kode=AMB-1"


@pytest.mark.parametrize("hostile", ["https://evil.example/phish?x=1", "//evil.example/x?y", "/\\evil.example", "javascript:alert(1)", ""])
def test_language_switch_never_leaves_the_site(hostile):
    target = same_site_target(hostile)
    assert target.startswith("/") and not target.startswith("//") and "\\" not in target
    assert same_site_target("https://evil.example/phish?x=1") == "/phish?x=1"


def test_monitor_refusal_is_the_translated_page_not_json(app):
    client = login_client(app.server.test_client(), "planner")
    refused = client.get("/pemantauan")
    assert refused.status_code == 403 and refused.mimetype == "text/html"
    body = refused.get_data(as_text=True)
    assert "Halaman ini bukan untuk peran Anda" in body and "Anda masuk sebagai" in body
    assert '"error"' not in body and 'href="/bahasa/en"' in body and 'action="/keluar"' in body
    client.set_cookie("bahasa", "en")
    english = client.get("/pemantauan").get_data(as_text=True)
    assert "This page is not for your role" in english and "Log out" in english
    assert client.get("/api/tax/returns").is_json  # data routes still answer scripts in JSON


def test_monitor_pages_have_the_app_top_bar(app):
    client = login_client(app.server.test_client(), "admin")
    client.set_cookie("bahasa", "en")
    for path in ("/pemantauan", "/pemantauan/admin/layanan"):
        body = client.get(path).get_data(as_text=True)
        assert 'id="language-switch"' in body and 'action="/keluar"' in body
        assert 'href="/pengaduan"' in body and 'href="/kinerja-cc"' in body  # the navigation the Dash pages have
    operators = client.get("/pemantauan").get_data(as_text=True)
    assert "state now</caption>" in operators and "<caption>Service</caption>" not in operators


def test_report_form_and_ticket_page_are_inside_the_portal(app):
    client = app.server.test_client()
    portal = client.get("/publik").get_data(as_text=True)
    for path in ("/publik/lapor", "/publik/tiket"):
        body = client.get(path).get_data(as_text=True)
        # the portal's own header, navigation (with this page marked) and stylesheet; not the staff app's
        assert 'class="brand" href="/publik"' in body and 'href="/publik/status"' in body and 'href="/publik/banjir"' in body
        assert f'href="{path}" aria-current="page"' in body
        assert "/publik/static/publik.css" in body and "bootstrap" not in body and "app-header" not in body
        assert portal.split("<main")[0].split("<title>")[0] == body.split("<main")[0].split("<title>")[0]  # same head start


def test_report_form_map_has_land_roads_with_names(app):
    client = app.server.test_client()
    form = client.get("/publik/lapor").get_data(as_text=True)
    assert 'data-basemap="/publik/lapor/peta.json"' in form and "OpenStreetMap" in form
    base = client.get("/publik/lapor/peta.json")
    assert base.status_code == 200
    data = base.get_json()
    assert data["land"]["features"] and len(data["roads"]["features"]) > 100
    assert any(f["properties"]["name"] for f in data["roads"]["features"])
    assert {f["properties"]["g"] for f in data["roads"]["features"]} <= {"primary", "secondary", "tertiary", "minor", "other"}
