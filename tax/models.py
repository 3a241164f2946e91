"""Tables of restaurant-tax monitoring, on the store's `Base` (registered in `store.db.MODEL_MODULES`).

Amounts are whole rupiah; times naive UTC; days and months are Ambon (WIT) calendar dates, a month
stored as its first day. Everything here is confidential taxpayer data (auth.policy: "tax").
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base


class TaxDevice(Base):
    """A tapping box at a business's cashier. Its API key is stored only as a SHA-256 hash."""

    __tablename__ = "tax_devices"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    """The device id the box sends with every transaction ("TB-0001")."""
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    installed_at: Mapped[datetime] = mapped_column(DateTime)
    key_hash: Mapped[str] = mapped_column(String(64))
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime)
    """Time of the latest sale it recorded (not of the latest upload: a late batch counts when it was sold)."""


class TaxTransaction(Base):
    """One sale recorded by a tapping box; (device, receipt) is unique, so a resent sale is never counted twice."""

    __tablename__ = "tax_transactions"
    __table_args__ = (UniqueConstraint("device_id", "receipt", name="uq_tax_transactions_device_receipt"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("tax_devices.id"))
    receipt: Mapped[str] = mapped_column(String(64))
    time: Mapped[datetime] = mapped_column(DateTime)
    amount_idr: Mapped[int] = mapped_column(BigInteger)


class TaxDailySales(Base):
    """Recorded sales of a business on one WIT day, kept up to date by every ingest (and the demo's history)."""

    __tablename__ = "tax_daily_sales"
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    amount_idr: Mapped[int] = mapped_column(BigInteger)
    receipts: Mapped[int] = mapped_column(Integer)


class TaxReturn(Base):
    """A monthly return and its payment, as the tax system exports them."""

    __tablename__ = "tax_returns"
    __table_args__ = (UniqueConstraint("business_id", "month", name="uq_tax_returns_business_month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    month: Mapped[date] = mapped_column(Date, index=True)
    turnover_idr: Mapped[int] = mapped_column(BigInteger)
    """Turnover the business declared for the month."""
    tax_paid_idr: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date | None] = mapped_column(Date)
    """None: not paid (yet)."""


class TaxCase(Base):
    """A follow-up case: one per flag (business, kind, period), worked by an officer until closed."""

    __tablename__ = "tax_cases"
    __table_args__ = (UniqueConstraint("business_id", "kind", "period", name="uq_tax_cases_flag"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    """tax.flags.FLAG_KINDS: "underpaid", "silent", "dip", "late"."""
    period: Mapped[str] = mapped_column(String(32))
    """What the flag is about: a month "2026-10", or for a silent box its code and silence start."""
    month: Mapped[date] = mapped_column(Date, index=True)
    """The month whose total at stake the case counts in."""
    status: Mapped[str] = mapped_column(String(16), index=True)
    """tax.cases.CASE_STATUSES."""
    officer: Mapped[str | None] = mapped_column(String(80))
    notes: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    at_stake_idr: Mapped[int] = mapped_column(BigInteger)
    score: Mapped[int] = mapped_column(BigInteger)
    """Rank among open cases (higher first): the revenue at stake weighted by the flag's kind, rupiah."""
    facts: Mapped[dict] = mapped_column(JSON)
    """The flag's numbers, from which its explanation is written in the reader's language."""
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str | None] = mapped_column(String(80))
