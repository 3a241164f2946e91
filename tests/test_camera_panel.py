"""The map's camera panel, the video wall and the flood page's river cameras: their cards stay in place
and each picture is sent once per frame, inside the page's answer; an offline camera's card is a URL
that stays the same while it stays offline."""
from __future__ import annotations

import json
import time

import numpy as np
import pytest

from sqlalchemy import select

from cameras.thumbnails import Publisher
from config import Settings
from layouts import camera_views, ids
from services import EXTENSION
from store.models import Camera
from tests.conftest import build_app, login_client

DATA_URL = "data:image/jpeg;base64,"

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


def board_engine(app):
    return app.server.extensions[EXTENSION].engine


@pytest.fixture(scope="module")
def publish(app):
    """publish(camera_id, ts): a thumbnail of camera `camera_id` captured at `ts`, and its health, as a reader does
    (the cameras' index published first)."""
    board = app.server.extensions[EXTENSION].camera_board
    publisher = Publisher(board.cache, board.settings, board.keys)

    with board_engine(app).connect() as conn:  # the cameras' index, as the camera service publishes it
        publisher.publish_index([{"id": r.id, "name": r.name, "kind": r.kind, "group": r.group, "config_error": None}
                                 for r in conn.execute(select(Camera.id, Camera.name, Camera.kind, Camera.group))])

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


def answer_of(client, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, object]], state: list[tuple[str, str, object]]) -> dict:
    """A callback's answer to a change of its first input: {(id, property): value}."""
    body = {"output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..", "outputs": [{"id": i, "property": p} for i, p in outputs],
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in state], "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"]}
    response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return {(component_id, prop): value for component_id, props in response.get_json()["response"].items() for prop, value in props.items()}


def assigned(patch: dict, last: str) -> dict[tuple, object]:
    """What a dash.Patch answer assigns to properties called `last`: {location: value}."""
    assert patch.get("__dash_patch_update"), patch
    return {tuple(o["location"]): o["params"]["value"] for o in patch["operations"] if o["operation"] == "Assign" and o["location"][-1] == last}


WALL_OUTPUTS = [(ids.CAM_WALL, "children"), (ids.CAM_WALL_SHOWN, "data"), (ids.CAM_WALL, "className"), (ids.CAM_WALL_COUNT, "children"),
                (ids.CAM_WALL_PAGE_LABEL, "children"), (ids.CAM_WALL_OFFLINE, "children"), (ids.CAM_WALL_OFFLINE, "className")]


def wall(client, shown, layout: str = "4x4", page: int = 0, tick: int = 1) -> dict:
    return answer_of(client, WALL_OUTPUTS, [(ids.CAM_TICK, "n_intervals", tick), (ids.CAM_WALL_KIND, "value", ["road", "river", "tps"]),
                                            (ids.CAM_WALL_KECAMATAN, "value", []), (ids.CAM_WALL_LAYOUT, "value", layout),
                                            (ids.CAM_WALL_PAGE, "data", page)],
                     [(ids.CAM_WALL_SHOWN, "data", shown), (ids.LANG_STORE, "data", "id")])


def test_the_wall_draws_its_tiles_once_and_sends_a_picture_once_per_frame(app, client, publish):
    now = time.time()
    for camera_id in range(1, 38):
        publish(camera_id, now)
    first = wall(client, None)
    tiles, shown = first[(ids.CAM_WALL, "children")], first[(ids.CAM_WALL_SHOWN, "data")]
    assert len(tiles) == len(shown) == 16 and first[(ids.CAM_WALL_PAGE_LABEL, "children")] == "Halaman 1 dari 3"
    assert all(tile["props"]["children"][0]["props"]["src"].startswith(DATA_URL) for tile in tiles)

    again = assigned(wall(client, shown, tick=2)[(ids.CAM_WALL, "children")], "src")
    assert again == {}  # the same frames: the tiles are updated in place, no picture sent

    moved, gone = shown[0][0], shown[1][0]
    publish(moved, now + 5)
    publish(gone, now - 3600)  # stopped an hour ago
    third = wall(client, shown, tick=3)
    tiles, now_shown = third[(ids.CAM_WALL, "children")], third[(ids.CAM_WALL_SHOWN, "data")]
    assert [now_shown[0][0], now_shown[1][0]] == [gone, moved]  # offline first: the two swapped tiles
    sent = {location[0]: src for location, src in assigned(tiles, "src").items()}
    assert set(sent) == {0, 1} and sent[0] == f"/cameras/{gone}/thumbnail.jpg?offline={int(now - 3600)}" and sent[1].startswith(DATA_URL)
    offline_caption = assigned(tiles, 1)[(0, "props", "children", 1)]  # the OFFLINE band heads its caption
    assert offline_caption["props"]["children"][0]["props"]["className"] == "cam-tile-offline"
    assert assigned(wall(client, now_shown, tick=4)[(ids.CAM_WALL, "children")], "src") == {}  # its grey card: not sent again

    next_page = wall(client, now_shown, page=1, tick=5)  # another 16 cameras in the same tiles
    assert len(assigned(next_page[(ids.CAM_WALL, "children")], "src")) == 16
    last_page = wall(client, next_page[(ids.CAM_WALL_SHOWN, "data")], page=2, tick=6)  # 5 cameras: drawn anew
    assert len(last_page[(ids.CAM_WALL, "children")]) == len(last_page[(ids.CAM_WALL_SHOWN, "data")]) == 37 - 32


def test_the_live_first_wall_streams_its_large_tile(app, client, publish):
    now = time.time()
    for camera_id in range(1, 38):
        publish(camera_id, now)
    first = wall(client, None, layout="1+7")
    tiles, shown = first[(ids.CAM_WALL, "children")], first[(ids.CAM_WALL_SHOWN, "data")]
    assert tiles[0]["props"]["children"][0]["props"]["src"] == f"/cameras/{shown[0][0]}/live.mjpg"
    publish(shown[0][0], now + 5)  # the stream goes on: its URL is not sent again
    assert assigned(wall(client, shown, layout="1+7", tick=2)[(ids.CAM_WALL, "children")], "src") == {}


def test_the_flood_page_sends_a_river_camera_picture_once_per_frame(app, publish):
    bpbd = login_client(app.server.test_client(), "bpbd")

    def flood(shown, tick):
        answer = answer_of(bpbd, [(ids.FLOOD_CAMERA_LIST, "children"), (ids.FLOOD_CAMERA_SHOWN, "data")],
                           [(ids.FLOOD_CAMERA_TICK, "n_intervals", tick)], [(ids.FLOOD_CAMERA_SHOWN, "data", shown), (ids.LANG_STORE, "data", "id")])
        return answer[(ids.FLOOD_CAMERA_LIST, "children")], answer[(ids.FLOOD_CAMERA_SHOWN, "data")]

    now = time.time()
    for camera_id in range(1, 38):
        publish(camera_id, now)
    listed, shown = flood(None, 1)
    figures = listed["props"]["children"]
    assert figures and len(figures) == len(shown["cameras"])
    assert all(f["props"]["children"][0]["props"]["children"]["props"]["src"].startswith(DATA_URL) for f in figures)
    again, shown = flood(shown, 2)
    assert assigned(again, "src") == {}
    publish(shown["cameras"][0][0], now + 5)
    third, _ = flood(shown, 3)
    assert list(assigned(third, "src")) == [("props", "children", 0, "props", "children", 0, "props", "children", "props", "src")]
