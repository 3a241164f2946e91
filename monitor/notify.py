"""Webhooks told when a service goes down or comes back. Each delivery is its own task with its own
retries, so a dead or slow webhook costs a few idle tasks and never delays a check."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

import httpx

from .store import Event

log = logging.getLogger(__name__)

RETRY_DELAYS_S = (2.0, 10.0, 30.0, 120.0)
"""Waits between the attempts of one delivery (so at most 5 attempts)."""
MAX_PENDING = 500
"""Deliveries in flight at once; beyond it new ones are dropped (and logged), memory stays bounded."""


def event_payload(event: Event) -> dict:
    """The JSON a webhook receives. `text` is a ready sentence for a chat (Telegram's sendMessage reads it)."""
    if event.kind == "down":
        text = f"🔴 {event.service_name} tidak dapat diakses sejak {event.at:%Y-%m-%d %H:%M} UTC ({event.reason})."
    else:
        minutes = round((event.duration_s or 0) / 60)
        text = f"🟢 {event.service_name} kembali normal setelah {minutes} menit."
    if event.in_maintenance:
        text += " (dalam jadwal pemeliharaan)"
    return {"text": text, "event": event.kind, "service_id": event.service_id, "service": event.service_name,
            "incident_id": event.incident_id, "at": event.at.isoformat() + "Z", "reason": event.reason,
            "duration_s": event.duration_s, "maintenance": event.in_maintenance}


class WebhookNotifier:
    """Posts events to the URLs `urls()` returns at the time of sending, with retries."""

    def __init__(self, client: httpx.AsyncClient, urls: Callable[[], Sequence[str]], *,
                 retry_delays_s: Sequence[float] = RETRY_DELAYS_S, timeout_s: float = 10.0):
        self.client, self.urls, self.retry_delays_s, self.timeout_s = client, urls, tuple(retry_delays_s), timeout_s
        self.tasks: set[asyncio.Task] = set()
        self.delivered = 0
        self.given_up = 0

    def send(self, event: Event) -> None:
        """Start delivering `event` to every webhook; returns at once."""
        payload = event_payload(event)
        for url in self.urls():
            if len(self.tasks) >= MAX_PENDING:
                log.warning("webhook backlog full: %s not told about %s", url, event.service_name)
                continue
            task = asyncio.get_running_loop().create_task(self._deliver(url, payload))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _deliver(self, url: str, payload: dict) -> None:
        for attempt, delay in enumerate((0.0, *self.retry_delays_s)):
            if delay:
                await asyncio.sleep(delay)
            try:
                response = await self.client.post(url, json=payload, timeout=self.timeout_s)
                if response.status_code < 400:
                    self.delivered += 1
                    return
                problem = f"HTTP {response.status_code}"
            except Exception as exc:  # noqa: BLE001 - any failure of a webhook is retried, never raised
                problem = str(exc) or type(exc).__name__
            log.info("webhook %s attempt %d failed: %s", url, attempt + 1, problem)
        self.given_up += 1
        log.warning("webhook %s: gave up after %d attempts", url, len(self.retry_delays_s) + 1)

    async def drain(self) -> None:
        """Wait for the deliveries in flight (tests, shutdown)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)
