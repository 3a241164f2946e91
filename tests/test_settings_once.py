"""Configuration is read once, in config.Settings, and passed down: no module reads the environment itself."""
import re

from config import Settings
from tests.conftest import ROOT

APP_PACKAGES = ("alerts", "auth", "callbacks", "cameras", "complaints", "demo", "flood", "geo", "i18n", "imports", "layouts",
                "monitor", "planning", "portal", "routes", "store", "tax")


def test_the_first_admin_and_the_flood_key_come_from_settings():
    settings = Settings.from_env({"FLOOD_API_KEY": "kunci", "ADMIN_USERNAME": "kominfo", "ADMIN_PASSWORD": "a long admin password"})
    assert (settings.flood_api_key, settings.admin_username, settings.admin_password) == ("kunci", "kominfo", "a long admin password")
    assert "kunci" not in repr(settings) and "a long admin password" not in repr(settings)  # secrets stay out of logs
    assert Settings.from_env({}).flood_api_key == "" and Settings.from_env({}).admin_username is None


def test_no_module_but_config_reads_the_environment():
    reading = re.compile(r"os\.environ|getenv\(")
    offenders = [str(path.relative_to(ROOT)) for package in APP_PACKAGES for path in (ROOT / package).rglob("*.py")
                 if reading.search(path.read_text(encoding="utf-8"))]
    offenders += [name for name in ("command_center.py", "celery_worker.py", "services.py", "background.py")
                  if reading.search((ROOT / name).read_text(encoding="utf-8"))]
    assert offenders == []
