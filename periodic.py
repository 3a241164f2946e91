"""Work repeated on a thread of its own, stopped when its app stops."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


def every(period_s: float, work: Callable[[], object], name: str, *, at_once: bool = False) -> Callable[[], None]:
    """Run `work()` every `period_s` seconds on a daemon thread called `name` (the first time at once
    with `at_once`). A failed round is logged and the next one tries again (a database gone for a
    moment). Returns the function that stops it, waiting for the round in progress."""
    stop = threading.Event()

    def run() -> None:
        if not at_once and stop.wait(period_s):
            return
        while True:
            try:
                work()
            except Exception:  # noqa: BLE001 - one failed round must not end the loop
                log.exception("%s: this round failed, the next one tries again", name)
            if stop.wait(period_s):
                return

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()

    def stop_loop() -> None:
        stop.set()
        thread.join(10)
    return stop_loop
