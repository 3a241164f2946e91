"""periodic.every: repeated work on its own thread that survives a failed round and stops for certain."""
import threading

from periodic import every
from tests.conftest import wait_until


def test_a_failed_round_is_followed_by_the_next_and_stop_waits_for_the_loop():
    rounds = []

    def work():
        rounds.append(threading.current_thread().name)
        if len(rounds) == 1:
            raise RuntimeError("the database went away for a moment")

    stop = every(0.01, work, "test-loop", at_once=True)
    wait_until(lambda: len(rounds) >= 3, message="three rounds, the first of them failed")
    stop()
    after = len(rounds)
    assert rounds[0] == "test-loop"
    assert not any(t.name == "test-loop" for t in threading.enumerate())
    assert len(rounds) == after  # nothing runs once stop() returned


def test_without_at_once_the_first_round_waits_a_period():
    rounds = []
    stop = every(60, lambda: rounds.append(1), "test-idle-loop")
    stop()
    assert rounds == []
