"""Replaying what Chromium recorded of the map page (bench/operators_load.py records it): the pieces
the locust operators (bench/operators_locust.py) and the in-process count (bench/operator_tick.py)
share. A recording is {phase: [{"method", "path", "body"}, ...]} with the phases reload, tick,
filter_on and filter_off.
"""
from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

DASH = "/_dash-update-component"
THUMB = re.compile(r"/cameras/\d+/thumbnail\.jpg")


def kind(method: str, path: str, body: str | None) -> str:
    """The stats name of a request: what it is for, not its exact URL."""
    route = urlsplit(path).path
    if route == DASH:
        output = json.loads(body)["output"]
        return "callback " + re.sub(r"[.@].*", "", output.strip("."))
    if THUMB.match(route):
        return "thumbnail"
    if route.startswith("/api/layers/"):
        return "layer " + route.rsplit("/", 1)[1].split(".")[0]
    if route.startswith(("/assets/", "/_dash-component-suites/", "/_favicon")):
        return "static file"
    return f"{method} {route}"


def is_camera_panel(body: str | None) -> bool:
    """Whether a callback request is the camera panel's tick (whatever its outputs are called)."""
    return bool(body) and "cam-in-view" in json.loads(body)["output"]


def image_sources(tree):
    """Every thumbnail URL an answer puts in an `src` (its JSON escapes "/", so it is parsed; a
    picture carried in the answer itself, a data: URL, needs no request)."""
    if isinstance(tree, dict):
        src = tree.get("src")
        if isinstance(src, str) and THUMB.match(src):
            yield src
        for value in tree.values():
            yield from image_sources(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from image_sources(value)


def with_tick(body: str, tick: int) -> str:
    """A recorded callback body with every interval's n_intervals set to `tick`."""
    payload = json.loads(body)

    def move(items):
        for item in items if isinstance(items, list) else []:
            if isinstance(item, list):
                move(item)
            elif isinstance(item, dict) and item.get("property") == "n_intervals":
                item["value"] = tick

    move(payload.get("inputs"))
    move(payload.get("state"))
    return json.dumps(payload)


def remember(answer: dict, page: dict) -> None:
    """Note in `page` ((component id, property) -> value) what a callback's `answer` set."""
    for component_id, props in (answer.get("response") or {}).items():
        for prop, value in props.items():
            page[(component_id, prop)] = value


def with_state(body: str, page: dict) -> str:
    """`body` with each State set to what the page holds now (`page`, filled by `remember`), as the
    browser sends it: a callback that remembers what the page shows (the thumbnails' versions, the
    alert list's signature) is sent what it last answered, not what the recording held."""
    payload = json.loads(body)
    for item in payload.get("state") or []:
        if isinstance(item, dict) and isinstance(item.get("id"), str) and (item["id"], item.get("property")) in page:
            item["value"] = page[(item["id"], item["property"])]
    return json.dumps(payload)


def distinct_callbacks(requests: list[dict]) -> list[dict]:
    """The callback requests, each output once (the first recorded)."""
    seen, calls = set(), []
    for r in requests:
        if urlsplit(r["path"]).path == DASH:
            output = json.loads(r["body"])["output"]
            if output not in seen:
                seen.add(output)
                calls.append(r)
    return calls
