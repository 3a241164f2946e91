"""Which cameras' footage a user may see is decided from the camera index the service publishes
(it carries each camera's access group), not by one query per camera on every refresh."""
from __future__ import annotations

import threading

from sqlalchemy import event

from routes.auth import current_account
from tests.conftest import build_app
from config import Settings
from routes.cameras import camera_allowed
from tests.conftest import login_client, wait_until


def test_footage_permissions_of_every_camera_cost_no_query_per_camera(tmp_path):
    app = build_app(Settings.from_env({"INSTANCE_DIR": str(tmp_path), "TILE_URL": ""}))
    server = app.server
    board = server.extensions["ambon_cameras"].board
    try:
        wait_until(lambda: len(board.by_id()) == 37, 30, message="the demo cameras in the index")
        assert all("group" in camera for camera in board.by_id().values())
        client = login_client(server.test_client(), "bpbd")
        statements: list[str] = []
        with client:
            client.get("/cameras/")
            assert current_account() is not None  # the session's user is loaded before counting
            engine = board.manager.specs_provider.args[0]  # the app's engine, which the authorizer queries
            me = threading.get_ident()  # the app's background loops (monitor, demo feed...) query the same engine meanwhile

            def listen(*args):
                if threading.get_ident() == me:
                    statements.append(args[2])
            event.listen(engine, "before_cursor_execute", listen)
            try:
                allowed = {cid: camera_allowed("thumbnail", cid) for cid in board.by_id()}
            finally:
                event.remove(engine, "before_cursor_execute", listen)
        assert statements == [], statements
        assert 0 < sum(allowed.values()) < 37, "BPBD sees the river cameras (its group) only"
    finally:
        board.manager.stop()
