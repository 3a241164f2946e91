"""Who holds a session, without a database round trip on every request.

Every request of a logged-in user names its session token, and the account behind it (name, role,
agency) rarely changes; but when it does (a password reset, a deactivation, a logout, a role
change), every session it ends must end at once, in every web worker. So each such change, once
committed, writes a new value under one Redis key, the accounts' version (auth.users calls the
listeners it was given, `on_accounts_changed`); a worker keeps the accounts it read with the version
it saw *before* reading them, and reads an account again as soon as the version differs. A request
costs one Redis GET instead of a PostgreSQL query and its pool's ping.

Without Redis, or while it does not answer, nothing is kept: the database is asked every time.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import Callable

import redis
from redis.exceptions import RedisError
from sqlalchemy import Engine, Row

from auth import users

log = logging.getLogger(__name__)

RETRY_S = 5.0
"""While Redis does not answer, how often (seconds) the version is asked for again."""
MAX_KEPT = 20_000
"""Sessions kept at most per worker (all forgotten at once beyond, and read again)."""


class AccountVersion:
    """The accounts' version in Redis: a random value replaced after every change of an account, so
    that a value never comes back (a Redis restart that lost the key gives a new one too)."""

    def __init__(self, client: redis.Redis, key: str, clock: Callable[[], float] = time.monotonic):
        self.client, self.key, self.clock = client, key, clock
        self._retry_at = 0.0

    @classmethod
    def of(cls, redis_url: str | None, key_prefix: str) -> "AccountVersion | None":
        """The version kept in the Redis at `redis_url` (None without one)."""
        if not redis_url:
            return None
        return cls(redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2), f"{key_prefix}accounts:version")

    def read(self) -> str | None:
        """The version now; None when Redis cannot say (then nothing may be trusted from memory)."""
        if self.clock() < self._retry_at:
            return None
        try:
            value = self.client.get(self.key)
            if value is None:  # first use, or a Redis that lost it: a new value, whoever writes it first
                self.client.set(self.key, uuid.uuid4().hex, nx=True)
                value = self.client.get(self.key)
        except RedisError as error:
            self._retry_at = self.clock() + RETRY_S
            log.warning("accounts' version unreadable in Redis (%s): sessions are checked in the database", error)
            return None
        return value.decode() if isinstance(value, bytes) else value

    def accounts_changed(self) -> None:
        """A new version: every worker reads its sessions' accounts again."""
        try:
            self.client.set(self.key, uuid.uuid4().hex)
        except RedisError:
            # the workers' copies cannot be told: they forget them when Redis fails them too (read()),
            # and the change itself is in the database
            log.exception("accounts' version could not be replaced in Redis after an account changed")


class SessionAccounts:
    """The active account holding a session token (auth.users.user_by_session_token), kept in this
    process while the accounts' version stays the same."""

    def __init__(self, engine: Engine, version: AccountVersion | None):
        self.engine, self.version = engine, version
        self._kept: dict[str, tuple[Row | None, str]] = {}
        self._lock = threading.Lock()
        if version is not None:
            users.on_accounts_changed(engine, version)

    def user(self, token: str) -> Row | None:
        """The account of the session `token` (username, role, agency, session_token), or None."""
        if self.version is None:
            return users.user_by_session_token(self.engine, token)
        seen = self.version.read()
        if seen is None:
            self._kept.clear()  # a change may go unannounced while Redis is away
            return users.user_by_session_token(self.engine, token)
        kept = self._kept.get(token)
        if kept is not None and kept[1] == seen:
            return kept[0]
        row = users.user_by_session_token(self.engine, token)  # read after the version: a later change moves it on
        with self._lock:
            if len(self._kept) >= MAX_KEPT:
                self._kept.clear()
            self._kept[token] = (row, seen)
        return row
