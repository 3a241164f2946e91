"""Checking what comes in: tapping-box transactions (API batches and files) and monthly returns.

Every row ends in exactly one list of a :class:`Report`: accepted (stored now), duplicate (the same
receipt was stored before or sent earlier in the batch: counted once) or rejected with a reason.
Reasons have a ``code`` (one of REASONS) and ``args``; i18n gives their words. Amounts are whole rupiah; times naive UTC (a time without offset is WIT, as
the boxes in Ambon send it); months are first days.
"""
from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from i18n.format import WIT
from table_files import read_table

MAX_FUTURE = timedelta(minutes=10)
"""Sales stamped later than now + this are refused (a box with a wrong clock)."""
MAX_AMOUNT_IDR = 1_000_000_000
"""One receipt above a billion rupiah is a typing or unit error, not a meal."""
PLAIN_NUMBER = re.compile(r"^\s*\d+(\.\d{1,2})?\s*$")
"""Amounts as text must be plain digits (and at most two decimals after a point): "1.234.567,00"
could mean a thousand times more or less depending on who wrote it, so it is refused, not guessed."""

REASONS = ("not_object", "missing", "unknown_device", "bad_time", "future", "not_number", "not_positive", "absurd", "duplicate_batch",
           "already_stored", "unknown_business", "bad_month", "bad_date", "negative", "future_month", "duplicate_month")
"""Why a row can be refused or counted once (its words: i18n `tax.reason.<code>`)."""


class RowError(ValueError):
    def __init__(self, code: str, **args):
        super().__init__(code)
        self.code, self.args_ = code, args


@dataclass(frozen=True)
class Outcome:
    """What became of one row; `row` counts from 0 (a file's first data line is 0)."""

    row: int
    key: str
    code: str = ""
    args: dict = field(default_factory=dict)


@dataclass
class Report:
    accepted: list[Outcome] = field(default_factory=list)
    duplicate: list[Outcome] = field(default_factory=list)
    rejected: list[Outcome] = field(default_factory=list)
    stored: bool = True
    """False when nothing was written (a file with a rejected row is refused whole)."""

    def to_dict(self, describe: Callable[[str, dict], str]) -> dict:
        """JSON-ready counts and rows, each row's reason in the words `describe(code, args)` gives."""
        plain = lambda o: {"row": o.row, "key": o.key, "code": o.code, "reason": describe(o.code, o.args)}  # noqa: E731
        return {"accepted": len(self.accepted), "duplicate": len(self.duplicate), "rejected": len(self.rejected),
                "stored": self.stored, "rows": {"duplicate": [plain(o) for o in self.duplicate],
                                                "rejected": [plain(o) for o in self.rejected]}}


def key_hash(key: str) -> str:
    """How a device key is stored: its SHA-256 (keys are long random strings, so a plain hash suffices)."""
    return hashlib.sha256(key.encode()).hexdigest()


def parse_amount(raw, name: str = "amount") -> int:
    """Whole rupiah from a JSON number or plain text ("125000", "125000.00"); RowError otherwise."""
    if isinstance(raw, bool) or raw is None or (isinstance(raw, str) and not raw.strip()):
        raise RowError("missing", field=name)
    if isinstance(raw, str):
        if not PLAIN_NUMBER.match(raw):
            raise RowError("not_number", field=name, value=repr(raw[:40]))
        raw = float(raw)
    if not isinstance(raw, (int, float)) or not math.isfinite(raw):
        raise RowError("not_number", field=name, value=repr(str(raw)[:40]))
    return round(raw)


def parse_time(raw) -> datetime:
    """ISO 8601 text to naive UTC; without an offset the time is WIT."""
    if not isinstance(raw, str) or not raw.strip():
        raise RowError("missing", field="time")
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise RowError("bad_time", time=repr(raw[:40])) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=WIT)
    return moment.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class Sale:
    row: int
    device_id: int
    business_id: int
    receipt: str
    time: datetime
    amount_idr: int


def check_transactions(rows: list, devices: dict[str, tuple[int, int, str]], now: datetime,
                       key: str | None) -> tuple[list[Sale], Report]:
    """Validate a batch. `devices`: code -> (device id, business id, key hash). With `key` (the
    API) a row's device must hold that key; without (a file a tax officer uploads) any known
    device is accepted. Duplicates inside the batch are reported here; the store reports those
    stored before. Returns the sales to store and the report so far (nothing accepted yet)."""
    report, sales, seen = Report(), [], {}
    given_hash = key_hash(key) if key is not None else None
    for index, row in enumerate(rows):
        try:
            if not isinstance(row, dict):
                raise RowError("not_object")
            code, receipt = str(row.get("device") or "").strip(), str(row.get("receipt") or "").strip()[:64]
            if not code:
                raise RowError("missing", field="device")
            device = devices.get(code)
            if device is None or (given_hash is not None and device[2] != given_hash):
                raise RowError("unknown_device", device=repr(code[:40]))
            if not receipt:
                raise RowError("missing", field="receipt")
            moment = parse_time(row.get("time"))
            if moment > now + MAX_FUTURE:
                raise RowError("future", time=moment.isoformat() + "Z")
            amount = parse_amount(row.get("amount_idr", row.get("amount")), "amount")
            if amount <= 0:
                raise RowError("not_positive", field="amount", value=amount)
            if amount > MAX_AMOUNT_IDR:
                raise RowError("absurd", field="amount", value=amount)
        except RowError as error:
            report.rejected.append(Outcome(index, _row_key(row), error.code, error.args_))
            continue
        key_of_row = f"{code}/{receipt}"
        if (device[0], receipt) in seen:
            report.duplicate.append(Outcome(index, key_of_row, "duplicate_batch", {"row": seen[(device[0], receipt)]}))
            continue
        seen[(device[0], receipt)] = index
        sales.append(Sale(index, device[0], device[1], receipt, moment, amount))
    return sales, report


def _row_key(row) -> str:
    if not isinstance(row, dict):
        return ""
    return f"{str(row.get('device') or '')[:32]}/{str(row.get('receipt') or '')[:64]}"


TRANSACTION_COLUMNS = ("device", "receipt", "time", "amount")
"""Columns of a tapping-box transactions file."""


def rows_from_file(data: bytes, columns: tuple[str, ...]) -> list[dict]:
    """A CSV or XLSX file (through the one table reader, cells as text) as dicts keyed by lower-case
    header, empty rows left out; RowError("missing") when one of ``columns`` is absent. Raises
    table_files.TableRefused for a file that is no table."""
    frame = read_table(data).frame
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    for column in columns:
        if column not in frame.columns:
            raise RowError("missing", field=column)
    filled = (frame.apply(lambda c: c.str.strip()) != "").any(axis=1)
    return frame[filled].to_dict("records")


@dataclass(frozen=True)
class MonthlyReturn:
    row: int
    business_id: int
    month: date
    turnover_idr: int
    tax_paid_idr: int
    paid_on: date | None


RETURN_COLUMNS = ("npwpd", "month", "turnover_idr", "tax_paid_idr", "paid_on")
"""Columns of a returns export: NPWPD, month (YYYY-MM), declared turnover and tax paid (rupiah),
payment date (YYYY-MM-DD, empty when unpaid)."""


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def check_returns(rows: list[dict], businesses: dict[str, int], today: date) -> tuple[list[MonthlyReturn], Report]:
    """Validate returns rows (dicts with RETURN_COLUMNS, values as text or numbers). `businesses`:
    NPWPD -> business id. A month must have ended by `today`."""
    report, returns, seen = Report(), [], {}
    for index, row in enumerate(rows):
        npwpd = _cell_text(row.get("npwpd"))
        month_text = _cell_text(row.get("month"))[:7]
        try:
            business_id = businesses.get(npwpd)
            if business_id is None:
                raise RowError("unknown_business", npwpd=repr(npwpd[:40]))
            try:
                month = datetime.strptime(month_text, "%Y-%m").date()
            except ValueError:
                raise RowError("bad_month", month=repr(month_text[:20])) from None
            if month >= date(today.year, today.month, 1):
                raise RowError("future_month", month=month_text)
            turnover = parse_amount(_numeric_cell(row.get("turnover_idr")), "turnover_idr")
            paid = parse_amount(_numeric_cell(row.get("tax_paid_idr")) or "0", "tax_paid_idr")
            for name, value in (("turnover_idr", turnover), ("tax_paid_idr", paid)):
                if value < 0:
                    raise RowError("negative", field=name, value=value)
            paid_text = _cell_text(row.get("paid_on"))[:10]
            try:
                paid_on = datetime.strptime(paid_text, "%Y-%m-%d").date() if paid_text else None
            except ValueError:
                raise RowError("bad_date", date=repr(paid_text)) from None
        except RowError as error:
            report.rejected.append(Outcome(index, f"{npwpd[:40]}/{month_text}", error.code, error.args_))
            continue
        if (business_id, month) in seen:
            report.rejected.append(Outcome(index, f"{npwpd}/{month_text}", "duplicate_month", {"row": seen[(business_id, month)]}))
            continue
        seen[(business_id, month)] = index
        returns.append(MonthlyReturn(index, business_id, month, turnover, paid, paid_on))
        report.accepted.append(Outcome(index, f"{npwpd}/{month_text}"))
    return returns, report


def _numeric_cell(value):
    """Spreadsheet numbers come as int/float, CSV cells as text: both go to parse_amount."""
    if isinstance(value, str):
        return value.strip()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value
