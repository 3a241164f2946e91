"""Ambon Command Center: `python app.py` serves it on http://127.0.0.1:8050 (HOST and PORT override).

`app.server` (also `server`) is the WSGI application for gunicorn: `gunicorn app:server`.
"""
import logging

from config import Settings, SettingsError
from store.db import StoreSetupError

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
try:
    settings = Settings.from_env()
    from command_center import create_app  # after the settings are read: a wrong one is said at once

    app = create_app(settings)
except (SettingsError, StoreSetupError) as error:  # a setting to fix, said in one line: no traceback to read through
    raise SystemExit(f"Ambon Command Center cannot start: {error}") from None
server = app.server

if __name__ == "__main__":
    app.run(host=settings.host, port=settings.port, debug=False)
