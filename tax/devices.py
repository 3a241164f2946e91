"""Tapping boxes: register one for a business and hand out its key (shown once, stored hashed).

    .venv/bin/python -m tax.devices add P.2.0000001.81.71 [--code TB-0001]   # prints the new key
    .venv/bin/python -m tax.devices list
"""
from __future__ import annotations

import argparse
import secrets
import sys
from datetime import datetime

from sqlalchemy import Engine, func, insert, select

from store.models import Business
from tax.ingest import key_hash
from tax.models import TaxDevice


class DeviceError(ValueError):
    pass


def add_device(engine: Engine, npwpd: str, code: str | None = None, now: datetime | None = None) -> tuple[str, str]:
    """Register a box for the business with NPWPD `npwpd`; returns (its code, its new key). Only the
    key's hash is stored: a lost key means a new box registration, not a look-up."""
    key = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        business_id = conn.execute(select(Business.id).where(Business.tax_id == npwpd)).scalar()
        if business_id is None:
            raise DeviceError(f"no business with NPWPD {npwpd}")
        code = code or f"TB-{(conn.execute(select(func.max(TaxDevice.id))).scalar() or 0) + 1:04d}"
        if conn.execute(select(TaxDevice.id).where(TaxDevice.code == code)).scalar() is not None:
            raise DeviceError(f"device {code} exists already")
        conn.execute(insert(TaxDevice).values(code=code, business_id=business_id, installed_at=now or datetime.utcnow(),
                                              key_hash=key_hash(key)))
    return code, key


def main(argv: list[str] | None = None) -> int:
    from config import Settings
    from store.db import make_engine, upgrade_schema

    parser = argparse.ArgumentParser(prog="python -m tax.devices", description="Tapping boxes of restaurant tax payers")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="register a box and print its key (shown once)")
    add.add_argument("npwpd")
    add.add_argument("--code")
    commands.add_parser("list", help="every box with its business and last sale")
    args = parser.parse_args(argv)
    engine = make_engine(Settings.from_env().database_url)
    upgrade_schema(engine)
    if args.command == "add":
        try:
            code, key = add_device(engine, args.npwpd, args.code)
        except DeviceError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(f"{code}\t{key}")
        return 0
    with engine.connect() as conn:
        rows = conn.execute(select(TaxDevice.code, Business.tax_id, Business.name, TaxDevice.last_seen_at)
                            .join(Business, Business.id == TaxDevice.business_id).order_by(TaxDevice.code))
        for code, npwpd, name, seen in rows:
            print(f"{code}\t{npwpd}\t{name}\t{seen.isoformat() + 'Z' if seen else '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
