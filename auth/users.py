"""Accounts: passwords (scrypt), creation, changes, login checks, and the command line.

    python -m auth.users create NAME --role operator [--agency DLH]   # asks for the password
    python -m auth.users reset-password NAME
    python -m auth.users list

The password is read from the terminal, or from standard input with --password-stdin. The store
is the one the app uses (DATABASE_URL / INSTANCE_DIR).
"""
from __future__ import annotations

import argparse
import getpass
import re
import secrets
import sys
import weakref
from collections import defaultdict
from datetime import datetime
from typing import Protocol

from sqlalchemy import Engine, Row, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from auth.models import User
from auth.policy import ROLES
from store.vocabulary import AGENCIES

MIN_PASSWORD_LENGTH = 10
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
DEMO_PASSWORD = "demo"
DEMO_USERS = {role: (role, "DLH" if role == "agency" else None) for role in ROLES}
"""Demo mode only: one user per role, named after it, password `demo`; the agency user is DLH's."""
_HASH_METHOD = "scrypt"


class AccountsListener(Protocol):
    def accounts_changed(self) -> None: ...


_listeners: defaultdict[str, weakref.WeakSet] = defaultdict(weakref.WeakSet)
"""Database URL -> who is told after an account in it changed (held weakly: an app gone, its listener goes)."""


def on_accounts_changed(engine: Engine, listener: AccountsListener) -> None:
    """Call `listener.accounts_changed()` after every committed change of an account (password,
    role, switched on or off, sessions ended) made through this module on `engine`'s database, by
    any engine of this process: caches of who holds a session (auth.sessions) must forget it."""
    _listeners[_database(engine)].add(listener)


def _database(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)
_DUMMY_HASH = generate_password_hash("not a password", method=_HASH_METHOD)


REFUSAL_TEXT = {
    "bad_username": "user name: 2 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit",
    "short_password": "password must have at least {n} characters",
    "bad_role": "role must be one of {roles}",
    "no_agency": "the agency role needs an agency code: one of {agencies}",
    "exists": "user {username!r} exists already",
    "no_user": "no user {username!r}",
    "not_self": "you cannot deactivate or demote your own account",
    "passwords_differ": "the two passwords differ",
}
"""Why an account cannot be made or changed, in English for the command line; the admin page puts
`code` and `args_` in the user's language (i18n keys user.refused.<code>)."""


class UserError(ValueError):
    """Input that cannot make or change an account: `code` (a key of REFUSAL_TEXT) and its `args_`."""

    def __init__(self, code: str, **args):
        super().__init__(REFUSAL_TEXT[code].format(**args))
        self.code, self.args_ = code, args


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_HASH_METHOD)


def _check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError("short_password", n=MIN_PASSWORD_LENGTH)


def _check_role(role: str, agency: str | None) -> None:
    if role not in ROLES:
        raise UserError("bad_role", roles=", ".join(ROLES))
    if role == "agency" and agency not in AGENCIES:
        raise UserError("no_agency", agencies=", ".join(AGENCIES))


def create_user(engine: Engine, username: str, password: str, role: str, agency: str | None = None,
                *, weak_password_ok: bool = False) -> User:
    """A new active account. `weak_password_ok` is for the demo users only."""
    username = username.strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise UserError("bad_username")
    _check_role(role, agency)
    if not weak_password_ok:
        _check_new_password(password)
    with Session(engine, expire_on_commit=False) as session:
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            raise UserError("exists", username=username)
        user = User(username=username, password_hash=hash_password(password), role=role,
                    agency=agency if role == "agency" else None, active=True, session_token=secrets.token_hex(16))
        session.add(user)
        session.commit()
        return user


def _change(engine: Engine, username: str, change) -> User:
    if not USERNAME_PATTERN.match(username):  # no such name can exist (and PostgreSQL refuses a NUL in a query)
        raise UserError("no_user", username=username)
    with Session(engine, expire_on_commit=False) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise UserError("no_user", username=username)
        change(user)
        user.updated_at = datetime.utcnow()
        session.commit()
    for listener in list(_listeners.get(_database(engine), ())):
        listener.accounts_changed()
    return user


def set_password(engine: Engine, username: str, password: str) -> User:
    """New password; every open session of the user ends."""
    _check_new_password(password)

    def change(user: User) -> None:
        user.password_hash = hash_password(password)
        user.session_token = secrets.token_hex(16)
    return _change(engine, username, change)


def end_sessions(engine: Engine, username: str) -> User:
    """End every session of the user, on every device and every copy of its cookie (logout)."""
    def change(user: User) -> None:
        user.session_token = secrets.token_hex(16)
    return _change(engine, username, change)


def update_user(engine: Engine, username: str, *, role: str | None = None, agency: str | None = None,
                active: bool | None = None, by: str | None = None) -> User:
    """Change role (and agency) or switch the account on or off; switching off ends its sessions.
    `by`, the account making the change, may not switch off or demote itself: an admin would lock themself out."""
    def change(user: User) -> None:
        if by == user.username and (active is False or (role is not None and role != "admin")):
            raise UserError("not_self")
        if role is not None:
            _check_role(role, agency)
            user.role, user.agency = role, agency if role == "agency" else None
        if active is not None and active != user.active:
            user.active = active
            user.session_token = secrets.token_hex(16)
    return _change(engine, username, change)


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    """The active user with this name and password, else None. A missing user costs the same hash
    check as a wrong password, so timing does not tell which names exist."""
    with Session(engine, expire_on_commit=False) as session:
        user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) and user.active else None


def user_by_session_token(engine: Engine, token: str) -> Row | None:
    """The active user holding this session token: its username, role, agency and session_token.
    Asked on every request of a logged-in user, so a plain row, without an ORM session's cost."""
    with engine.connect() as conn:
        return conn.execute(select(User.username, User.role, User.agency, User.session_token)
                            .where(User.session_token == token, User.active.is_(True))).first()


def list_users(engine: Engine) -> list[User]:
    with Session(engine, expire_on_commit=False) as session:
        return list(session.scalars(select(User).order_by(User.username)))


def ensure_demo_users(engine: Engine) -> list[str]:
    """Create the demo users that are missing; returns their names."""
    existing = {u.username for u in list_users(engine)}
    made = []
    for username, (role, agency) in DEMO_USERS.items():
        if username not in existing:
            create_user(engine, username, DEMO_PASSWORD, role, agency, weak_password_ok=True)
            made.append(username)
    return made


def disable_demo_users(engine: Engine) -> list[str]:
    """Production: switch off (and end the sessions of) every demo account still holding the demo
    password, made while the instance ran in demo mode; returns their names."""
    disabled = []
    for user in list_users(engine):
        if user.username in DEMO_USERS and user.active and check_password_hash(user.password_hash, DEMO_PASSWORD):
            update_user(engine, user.username, active=False)
            disabled.append(user.username)
    return disabled


def ensure_admin(engine: Engine, username: str, password: str) -> bool:
    """Create the first admin (ADMIN_USERNAME / ADMIN_PASSWORD) unless that user exists; True if made."""
    if any(u.username == username.strip().lower() for u in list_users(engine)):
        return False
    create_user(engine, username, password, "admin")
    return True


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise UserError("passwords_differ")
    return first


def main(argv: list[str] | None = None) -> int:
    from config import Settings, SettingsError
    from store.db import StoreSetupError, make_engine, setup_lock, unreachable, upgrade_schema

    parser = argparse.ArgumentParser(prog="python -m auth.users", description="Manage the Command Center's accounts.")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create an account")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--agency", choices=AGENCIES, help="agency code, for the agency role")
    reset = commands.add_parser("reset-password", help="set a new password (ends the user's sessions)")
    reset.add_argument("username")
    for sub in (create, reset):
        sub.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    commands.add_parser("list", help="list accounts")
    args = parser.parse_args(argv)

    try:
        settings = Settings.from_env()
        settings.instance_dir.mkdir(parents=True, exist_ok=True)  # a fresh machine: the app has not started yet
        engine = make_engine(settings.database_url)
        try:
            with setup_lock(engine):
                upgrade_schema(engine)  # the app's own migrations, so that it starts on this store later
        except DBAPIError as error:
            raise unreachable(engine, error) from None
    except (SettingsError, StoreSetupError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    from auth.sessions import AccountVersion

    version = AccountVersion.of(settings.redis_url, settings.cache_key_prefix)  # the running workers forget a reset password's sessions
    if version is not None:
        on_accounts_changed(engine, version)
    try:
        if args.command == "create":
            user = create_user(engine, args.username, _read_password(args.password_stdin), args.role, args.agency)
            print(f"created {user.username} ({user.role})")
        elif args.command == "reset-password":
            set_password(engine, args.username, _read_password(args.password_stdin))
            print(f"new password set for {args.username}")
        else:
            for user in list_users(engine):
                print(f"{user.username}\t{user.role}\t{user.agency or '-'}\t{'active' if user.active else 'inactive'}")
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
