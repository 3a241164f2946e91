"""The map's camera panel: its cards stay in place and each picture is sent once per frame, inside the
panel's answer; an offline camera's card is a URL that stays the same while it stays offline."""
from __future__ import annotations

import json
import time

import numpy as np
import pytest

from cameras.thumbnails import Publisher
from config import Settings
from layouts import camera_views, ids
from services import EXTENSION
from tests.conftest import build_app, login_client

SLOTS = camera_views.THUMB_SLOTS
OUTPUTS = [(ids.CAM_IN_VIEW_SHOWN, "data"), (ids.CAM_THUMB, "className"), (ids.CAM_THUMB_IMG, "src"), (ids.CAM_THUMB_IMG, "alt"),
           (ids.CAM_THUMB_TEXT, "children"), (ids.CAM_IN_VIEW_NOTE, "children")]
PATTERNS = {ids.CAM_THUMB, ids.CAM_THUMB_IMG, ids.CAM_THUMB_TEXT}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return build_app(Settings.from_env({"INSTANCE_DIR": str(tmp_path_factory.mktemp("instance")), "TILE_URL": "", "CAMERA_READERS": "0",
                                        "SERVICE_MONITOR": "0"}))


@pytest.fixture(scope="module")
def client(app):
    return login_client(app.server.test_client(), "operator")


@pytest.fixture(scope="module")
def publish(app):
    """publish(camera_id, ts): a thumbnail of camera `camera_id` captured at `ts`, and its health, as a reader does."""
    board = app.server.extensions[EXTENSION].camera_board
    publisher = Publisher(board.cache, board.settings, board.keys)

    def publish(camera_id: int, ts: float) -> None:
        picture = np.full((180, 320, 3), int(ts) % 256, np.uint8)  # another frame looks different
        publisher.publish_thumbnail(camera_id, picture, ts, int(ts * 1000))
        publisher.publish_health(camera_id, {"camera_id": camera_id, "status": "online", "reason": None, "last_frame_ts": ts,
                                             "streaming": False, "expected_interval_s": 5.0})
    return publish


def panel(client, shown, tick: int = 1) -> dict:
    """The panel's answer to a tick, given what its cards show (`shown`): {(id, property): value}, the
    ids of the cards as (kind, slot)."""
    def name(component_id):
        return json.dumps({"slot": ["ALL"], "type": component_id}, separators=(",", ":")) if component_id in PATTERNS else component_id

    body = {"output": ".." + "...".join(f"{name(i)}.{p}" for i, p in OUTPUTS) + "..",
            "outputs": [[{"id": {"type": i, "slot": n}, "property": p} for n in range(SLOTS)] if i in PATTERNS else {"id": i, "property": p}
                        for i, p in OUTPUTS],
            "inputs": [{"id": ids.CAM_TICK, "property": "n_intervals", "value": tick}, {"id": ids.MAP, "property": "bounds", "value": None}],
            "state": [{"id": ids.CAM_IN_VIEW_SHOWN, "property": "data", "value": shown}, {"id": ids.LANG_STORE, "property": "data", "value": "id"}],
            "changedPropIds": [f"{ids.CAM_TICK}.n_intervals"]}
    response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    answer = {}
    for component_id, props in response.get_json()["response"].items():
        key = (lambda d: (d["type"], d["slot"]))(json.loads(component_id)) if component_id.startswith("{") else component_id
        answer.update({(key, prop): value for prop, value in props.items()})
    return answer


def pictures(answer: dict) -> dict[int, str]:
    """Slot -> the picture the answer sends to its card (cards not in it keep theirs)."""
    return {key[1]: value for (key, prop), value in answer.items() if prop == "src"}


def test_a_picture_is_sent_once_per_frame_and_an_offline_card_once(app, client, publish):
    now = time.time()
    for camera_id in range(1, 38):
        publish(camera_id, now)
    first = panel(client, [None] * SLOTS)
    shown = first[(ids.CAM_IN_VIEW_SHOWN, "data")]
    assert len(pictures(first)) == SLOTS and all(src.startswith("data:image/jpeg;base64,") for src in pictures(first).values())
    assert all(first[((ids.CAM_THUMB, n), "className")] == "cam-thumb cam-thumb-online" for n in range(SLOTS))
    assert first[(ids.CAM_IN_VIEW_NOTE, "children")].startswith("25 kamera lain")  # 37 in the city, 12 cards

    again = panel(client, shown, tick=2)
    assert pictures(again) == {} and again[(ids.CAM_IN_VIEW_SHOWN, "data")] == shown  # the same frames: nothing to send
    assert all(again[((ids.CAM_THUMB_TEXT, n), "children")] for n in range(SLOTS))  # the freshness line still moves on

    moved, gone = shown[0][0], shown[1][0]
    publish(moved, now + 5)  # a new frame of the first card's camera
    publish(gone, now - 3600)  # the second card's camera stopped an hour ago
    third = panel(client, shown, tick=3)
    offline_url = f"/cameras/{gone}/thumbnail.jpg?offline={int(now - 3600)}"
    assert set(pictures(third)) == {0, 1}
    assert pictures(third)[0].startswith("data:image/jpeg;base64,") and pictures(third)[0] != pictures(first)[0]
    assert pictures(third)[1] == offline_url
    assert third[((ids.CAM_THUMB, 1), "className")] == "cam-thumb cam-thumb-offline"
    card = client.get(offline_url)
    assert card.status_code == 200 and card.headers["X-Camera-Status"] == "offline"  # the grey card, never the stale frame

    fourth = panel(client, third[(ids.CAM_IN_VIEW_SHOWN, "data")], tick=4)
    assert pictures(fourth) == {}  # still offline since the same time: its card's URL is the one shown
