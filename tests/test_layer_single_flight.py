"""A map layer missing from the cache is built once however many requests miss it together."""
import threading
import time

from flask import Flask
from flask_caching import Cache

from routes.layers import single_flight


def test_concurrent_misses_build_once_and_all_get_the_result():
    cache = Cache(Flask(__name__), config={"CACHE_TYPE": "SimpleCache"})
    builds, results = [], []
    started = threading.Event()

    def build():
        builds.append(1)
        started.set()
        time.sleep(0.2)  # a slow build: the others arrive while it runs
        return b"payload"

    threads = [threading.Thread(target=lambda: results.append(single_flight(cache, "layer:x", build, 60))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == [b"payload"] * 8 and len(builds) == 1
    assert single_flight(cache, "layer:x", build, 60) == b"payload" and len(builds) == 1  # now cached


def test_a_stuck_builder_does_not_stop_the_map():
    cache = Cache(Flask(__name__), config={"CACHE_TYPE": "SimpleCache"})
    cache.add("building:layer:y", 1, timeout=60)  # another worker took the lock and died
    assert single_flight(cache, "layer:y", lambda: b"rebuilt", 60, wait_s=0.2) == b"rebuilt"
