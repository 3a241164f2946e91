"""The leaders' board in a real headless Chromium: the leader logs in and lands on the board, the
big-screen mode shows one group at a time in high contrast with the city map among them."""
import pytest

from tests.conftest import login

pytestmark = pytest.mark.browser


def test_leader_lands_on_the_board_and_the_wall_shows_one_group_at_a_time(page, live_app):
    login(page, live_app, "leader")
    page.goto(live_app + "/kinerja-cc")
    page.locator("#ind-cx_deadline").wait_for(timeout=20000)
    assert "Pencapaian tujuan" in page.inner_text("#group-goal") and "Adaptasi" in page.inner_text("#group-adaptation")
    assert page.locator("#group-map svg path").count() >= 5  # the five kecamatan, with a legend
    assert page.locator("#group-map .legend li").count() >= 2

    page.click("text=Layar besar")
    page.wait_for_url("**/kinerja-cc?layar=besar")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(0, 0, 0)"
    visible = page.evaluate("[...document.querySelectorAll('.panel')].filter(p => getComputedStyle(p).visibility === 'visible').map(p => p.id)")
    assert visible == ["group-goal"]  # the first of four panels; the others wait their turn
    assert page.evaluate("getComputedStyle(document.querySelector('#group-map')).animationDelay") == "45s"
    assert not page.errors


def test_the_board_follows_a_screens_dark_theme(page, live_app):
    login(page, live_app, "leader")
    page.goto(live_app + "/kinerja-cc?tema=gelap")
    page.wait_for_function("document.documentElement.dataset.theme === 'gelap'")
    colours = page.evaluate("""[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color,
        getComputedStyle(document.querySelector('#ind-cx_deadline')).backgroundColor,
        getComputedStyle(document.querySelector('header.top')).backgroundColor]""")
    assert colours == ["rgb(0, 0, 0)", "rgb(244, 246, 248)", "rgb(13, 17, 23)", "rgb(0, 0, 0)"]
    page.goto(live_app + "/kinerja-cc")  # the screen keeps its theme for as long as the tab lives
    page.wait_for_function("document.documentElement.dataset.theme === 'gelap'")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"
    assert not page.errors


def test_a_leader_refused_a_page_is_led_back_to_the_board_not_to_the_map(page, live_app):
    """The leader role has no map: a refusal's way back is the page it starts on."""
    login(page, live_app, "leader")
    page.goto(live_app + "/kamera")
    refusal = page.locator("#auth-forbidden")
    refusal.wait_for(timeout=20000)
    refusal.get_by_role("link", name="Kembali ke Kinerja Command Center").click()
    page.locator("#ind-cx_deadline").wait_for(timeout=20000)
    assert page.evaluate("location.pathname") == "/kinerja-cc"
    assert not page.errors
