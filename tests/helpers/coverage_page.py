"""Steps on the coverage-gap page shared by its browser tests (local jobs and Celery jobs)."""

PROGRESS_SHOWN = "#cov-progress-box:not([hidden])"
PROGRESS_HIDDEN = "#cov-progress-box[hidden]"


def open_coverage_page(page, base_url: str) -> None:
    """Log in as the demo planner and open the coverage page with its cameras drawn."""
    from tests.conftest import login

    login(page, base_url, "planner")
    page.goto(base_url + "/cakupan")
    page.wait_for_selector(".leaflet-marker-pane .cam-icon", timeout=20000)  # existing cameras drawn


def run_analysis(page, k: int, min_spacing_m: int = 150, time_limit_s: int = 20) -> None:
    """Run with `k` sites; returns once the progress bar was seen and the sites are listed."""
    page.fill("#cov-k", str(k))
    page.fill("#cov-spacing", str(min_spacing_m))
    page.fill("#cov-time-limit", str(time_limit_s))
    page.click("#cov-run")
    page.wait_for_selector(PROGRESS_SHOWN, timeout=10000)
    assert page.locator("#cov-run").is_disabled() and page.locator("#cov-cancel").is_enabled()
    page.wait_for_selector(".cov-site-row", timeout=60000)
    page.wait_for_selector(PROGRESS_HIDDEN, state="attached", timeout=5000)


def cancel_a_long_run(page) -> None:
    """Start a run that would take minutes, cancel it while it solves, and see the page settle."""
    page.fill("#cov-k", "200")
    page.fill("#cov-spacing", "300")
    page.fill("#cov-time-limit", "300")
    page.click("#cov-run")
    page.wait_for_selector(PROGRESS_SHOWN, timeout=10000)
    page.wait_for_function("document.querySelector('#cov-progress').value >= 25", timeout=30000)  # solving
    # the page stays usable meanwhile: a camera's popup opens
    page.locator(".leaflet-marker-pane .cam-icon").first.click()
    page.wait_for_selector(".leaflet-popup-content", timeout=5000)
    assert page.locator(PROGRESS_SHOWN).count() == 1
    page.click("#cov-cancel")
    page.wait_for_selector(PROGRESS_HIDDEN, state="attached", timeout=10000)
    assert page.locator("#cov-message").inner_text() == "Analisis dibatalkan."
    assert page.locator("#cov-run").is_enabled() and page.locator("#cov-cancel").is_disabled()
    assert page.locator(".cov-site-row").count() == 0
