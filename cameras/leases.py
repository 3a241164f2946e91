"""Which service instance runs which camera: leases in Redis, shared out evenly.

Keys (raw Redis, prefix P = the cache's key prefix + CacheKeys.prefix, e.g. "ambon:ambon:cam:"):

=====================  =====================================================================
P + "lease:<id>"       str: the token of the instance that runs the camera's reader; expires
                       lease_s after its last renewal (instances renew every third of it).
P + "instances"        sorted set: instance tokens scored by when their heartbeat lapses.
=====================  =====================================================================

An instance renews what it holds and takes free cameras up to its share (cameras / live
instances, rounded up); above its share it hands the rest back, so a second instance started
next to a first gets half of the cameras within a lease or two. A stopped instance's leases lapse
after lease_s (or are handed back at once by a clean stop) and the others take them.
"""
from __future__ import annotations

import math
import time
from typing import Any, Iterable

# KEYS: lease keys, ARGV: token, lease ms, how many this instance may hold. Returns 1/0 per key.
# Renewals come first (an instance never loses what it holds by being over its share), then free
# cameras are taken while under the share.
_CLAIM = """
local token, ms, share = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local out, held = {}, 0
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == token then
    redis.call('PEXPIRE', key, ms); out[i] = 1; held = held + 1
  else
    out[i] = 0
  end
end
for i, key in ipairs(KEYS) do
  if out[i] == 0 and held < share and redis.call('SET', key, token, 'PX', ms, 'NX') then
    out[i] = 1; held = held + 1
  end
end
return out
"""

_RELEASE = """
local n = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key); n = n + 1 end
end
return n
"""


class Leases:
    def __init__(self, redis: Any, prefix: str, token: str, lease_s: float):
        self.redis, self.prefix, self.token, self.lease_s = redis, prefix, token, float(lease_s)
        self._claim = redis.register_script(_CLAIM)
        self._release = redis.register_script(_RELEASE)

    def key(self, camera_id: int) -> str:
        return f"{self.prefix}lease:{int(camera_id)}"

    @property
    def instances_key(self) -> str:
        return f"{self.prefix}instances"

    def instances(self) -> int:
        """Live instances (this one included), after a heartbeat of this one."""
        now = time.time()
        pipe = self.redis.pipeline()
        pipe.zadd(self.instances_key, {self.token: now + self.lease_s})
        pipe.zremrangebyscore(self.instances_key, "-inf", now)
        pipe.zcard(self.instances_key)
        return max(1, int(pipe.execute()[2]))

    def claim(self, camera_ids: Iterable[int]) -> set[int]:
        """Renew what this instance holds, take free cameras up to its share, hand back the excess;
        the cameras it holds now."""
        ids = sorted(int(c) for c in camera_ids)
        if not ids:
            return set()
        share = math.ceil(len(ids) / self.instances())
        flags = self._claim(keys=[self.key(c) for c in ids], args=[self.token, int(self.lease_s * 1000), share])
        held = [c for c, f in zip(ids, flags) if f]
        if len(held) > share:  # more than its share (another instance started): hand the rest on
            self.release(held[share:])
            held = held[:share]
        return set(held)

    def release(self, camera_ids: Iterable[int]) -> int:
        keys = [self.key(c) for c in camera_ids]
        return int(self._release(keys=keys, args=[self.token])) if keys else 0

    def leave(self) -> None:
        self.redis.zrem(self.instances_key, self.token)

    def holder(self, camera_id: int) -> str | None:
        value = self.redis.get(self.key(camera_id))
        return value.decode() if value is not None else None
