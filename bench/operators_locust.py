"""Locust operators for bench/operators_load.py (run through it: it starts the stack and records
what a real browser sends, in the file named by OPERATORS_RECORDING).

Each operator logs in with its own session, loads the map page (the recorded reload), then every
5 s sends the recorded tick callbacks with the interval's count moved on (and the States the page
holds as the previous answers left them) and fetches the thumbnail URLs the camera panel's answer
shows, as a browser does: an `<img>` whose URL is already shown is not fetched again, six at a time,
and the HTTP cache (max-age, ETag) is honoured; a picture carried in the answer (data: URL) needs none. About every 30 s it
switches a complaint filter on or off (callback and the complaints layer), about every 2 min it
reloads the whole page.
"""
from __future__ import annotations

import json
import os
import random
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import gevent
from gevent.pool import Pool
from locust import FastHttpUser, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.operators_replay import (DASH, THUMB, distinct_callbacks, image_sources, is_camera_panel, kind, remember,  # noqa: E402
                                    with_state, with_tick)

RECORDING = json.loads(open(os.environ["OPERATORS_RECORDING"]).read())
TICK_S = 5.0
FILTER_EVERY_S = 30.0
RELOAD_EVERY_S = 120.0
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
MAX_AGE = re.compile(r"max-age=(\d+)")


RELOAD = [r for r in RECORDING["reload"] if not THUMB.match(urlsplit(r["path"]).path)]
TICK = distinct_callbacks(RECORDING["tick"])
FILTERS = [[r for r in RECORDING[phase] if r["path"].startswith("/api/layers/complaints") or
            (urlsplit(r["path"]).path == DASH and "complaints-layer.url" in json.loads(r["body"])["output"])]
           for phase in ("filter_on", "filter_off")]


@events.spawning_complete.add_listener
def every_operator_started(**_kwargs) -> None:
    """Tells the runner that the log-ins are over: the steady part, the one measured, begins."""
    open(os.environ["OPERATORS_STEADY"], "w").close()


class Operator(FastHttpUser):
    """One operator at the map page."""

    concurrency = 6  # a browser's connections per host

    def on_start(self) -> None:
        self.cache: dict[str, tuple[float, str | None]] = {}  # URL -> (fresh until, ETag)
        self.shown: set[str] = set()
        self.tick = 0
        self.filter_on = False
        while not self.log_in():  # a person whose log-in failed tries again
            gevent.sleep(1.0)
        gevent.sleep(random.uniform(0, TICK_S))  # operators do not tick in step
        self.reload()

    def log_in(self) -> bool:
        login_page = self.client.get("/masuk", name="GET /masuk")
        token = CSRF.search(login_page.text or "")
        if token is None:
            return False
        response = self.client.post("/masuk", data={"username": "operator", "password": "demo", "csrf_token": token.group(1)},
                                    name="POST /masuk (login)", allow_redirects=False)
        return response.status_code == 302

    def get(self, path: str) -> None:
        """GET as a browser does: nothing while the cached copy is fresh, else conditional on its ETag."""
        fresh_until, etag = self.cache.get(path, (0.0, None))
        if time.monotonic() < fresh_until:
            return
        headers = {"If-None-Match": etag} if etag else {}
        with self.client.get(path, headers=headers, name=kind("GET", path, None), catch_response=True) as response:
            if response.status_code in (200, 304):
                response.success()
                control = response.headers.get("Cache-Control") or ""
                age = MAX_AGE.search(control)
                if "no-store" not in control:
                    self.cache[path] = (time.monotonic() + (int(age.group(1)) if age and "no-cache" not in control else 0),
                                        response.headers.get("ETag") or etag)

    def callback(self, request: dict, tick: int | None = None) -> None:
        body = with_state(request["body"], self.page)
        response = self.client.post(request["path"], data=body if tick is None else with_tick(body, tick),
                                    headers={"Content-Type": "application/json"}, name=kind("POST", request["path"], request["body"]))
        if response.status_code == 200 and response.text:
            answer = json.loads(response.text)
            remember(answer, self.page)
            if is_camera_panel(body):
                self.show_thumbnails(list(image_sources(answer)))

    def show_thumbnails(self, urls: list[str]) -> None:
        """The panel's new cards: only an `<img>` URL not shown yet is fetched (six at a time)."""
        Pool(6).map(self.get, [u for u in urls if u not in self.shown])
        self.shown = set(urls)

    def replay(self, requests: list[dict]) -> None:
        for r in requests:
            if r["method"] == "GET":
                self.get(r["path"])
            else:
                self.callback(r)

    def reload(self) -> None:
        self.shown = set()
        self.page: dict = {}  # (component id, property) -> what the callbacks' answers set on this page
        self.tick = 0
        self.replay(RELOAD)

    @task
    def at_the_map(self) -> None:
        """Ticks every 5 s; between them now and then a filter or a full reload."""
        next_tick = time.monotonic() + TICK_S
        while True:
            gevent.sleep(max(0.0, next_tick - time.monotonic()))
            next_tick = max(next_tick + TICK_S, time.monotonic())  # an interval late by a whole period fires once
            self.tick += 1
            for request in TICK:
                self.callback(request, self.tick)
            if random.random() < TICK_S / FILTER_EVERY_S:
                self.filter_on = not self.filter_on
                self.replay(FILTERS[0 if self.filter_on else 1])
            if random.random() < TICK_S / RELOAD_EVERY_S:
                self.reload()
