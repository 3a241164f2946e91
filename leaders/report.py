"""The weekly report: what it holds (figures of a Monday-to-Sunday WIT week, the most overdue
complaints per agency, the services and cameras down longest, the map), and its PDF drawn with
fpdf2 from texts already put in words (sizes in mm). Stored under the instance folder as
`reports/kinerja-<monday>.pdf` and `.html`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
from fpdf import FPDF
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from complaints.deadlines import WorkingCalendar
from complaints.lifecycle import UNRESOLVED
from leaders.citymap import Area
from store.models import Complaint

A4_W, A4_H, MARGIN = 210.0, 297.0, 15.0


def last_week(today: date) -> date:
    """The Monday of the last complete week before `today`."""
    return today - timedelta(days=today.weekday() + 7)


def most_overdue(engine: Engine, now: datetime, calendar: WorkingCalendar, per_agency: int = 5) -> dict[str, list[dict]]:
    """Per agency, its `per_agency` complaints furthest past their running deadline: ticket,
    category, kecamatan code and working days over. No description, no reporter."""
    c = Complaint.__table__.c
    rank = func.row_number().over(partition_by=c.agency, order_by=c.next_due_at).label("rank")
    inner = (select(c.agency, c.ticket, c.category, c.kecamatan_code, c.next_due_at, rank)
             .where(c.status.in_(UNRESOLVED), c.merged_into_id.is_(None), c.next_due_at < now).subquery())
    with engine.connect() as conn:
        result = conn.execute(select(inner).where(inner.c.rank <= per_agency).order_by(inner.c.agency, inner.c.rank))
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    out: dict[str, list[dict]] = {}
    if frame.empty:
        return out
    over = calendar.elapsed(frame.next_due_at.to_numpy("datetime64[s]"), pd.Series([now] * len(frame)).to_numpy("datetime64[s]"))
    for record, days in zip(frame.itertuples(index=False), over):
        out.setdefault(record.agency, []).append({"ticket": record.ticket, "category": record.category,
                                                  "kecamatan_code": record.kecamatan_code, "days_over": int(days)})
    return out


@dataclass
class ReportText:
    """The report in words, ready to print: every string already in the reader's language."""

    title: str
    subtitle: str
    generated: str
    groups: list[tuple[str, list[dict]]]
    """(group heading, rows): each row has name, value, basis, target, trend, detail: [(scope, value, basis)], and
    weeks: [(label, height 0..1, text)]."""
    overdue_heading: str
    overdue: list[tuple[str, list[tuple[str, str, str]]]]
    """(agency, [(ticket, category, late by)]); empty: `overdue_none` is printed."""
    overdue_none: str
    columns: tuple[str, str, str]
    downtime: list[tuple[str, list[tuple[str, str]]]]
    """(heading, [(name, hours text)])."""
    down_none: str
    map_heading: str
    legend: list[tuple[str, str]]
    """(colour, label)."""


def _latin(text: str) -> str:
    # the PDF core fonts are Latin-1: typographic dashes and signs become their plain forms
    for fancy, plain in (("–", "-"), ("—", "-"), ("≤", "<="), ("≥", ">="), ("…", "..."), ("→", "->"), ("↑", "+"), ("↓", "-")):
        text = text.replace(fancy, plain)
    return text.encode("latin-1", "replace").decode("latin-1")


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


class _Pdf(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, _latin(f"{self.footer_text} - {self.page_no()}"), align="C")


def report_pdf(doc: ReportText, areas: list[Area], map_size: tuple[float, float] = (180.0, 110.0)) -> bytes:
    """The report as an A4 PDF: indicators with a bar per week, overdue complaints, downtime, map."""
    pdf = _Pdf(format="A4", unit="mm")
    pdf.footer_text = doc.title
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, 16)
    pdf.set_title(_latin(doc.title))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, _latin(doc.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, _latin(doc.subtitle), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8)
    pdf.multi_cell(0, 5, _latin(doc.generated), new_x="LMARGIN", new_y="NEXT")
    for heading, rows in doc.groups:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 13)
        pdf.set_text_color(11, 61, 145)
        pdf.multi_cell(0, 7, _latin(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(20, 20, 20)
        for row in rows:
            if pdf.get_y() > A4_H - 45:
                pdf.add_page()
            top = pdf.get_y() + 1
            pdf.set_xy(MARGIN, top)
            pdf.set_font("Helvetica", "B", 10)
            pdf.multi_cell(110, 5, _latin(row["name"]), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "", 12)
            pdf.set_x(MARGIN)
            pdf.multi_cell(110, 6, _latin(row["value"]), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "", 8)
            pdf.set_x(MARGIN)
            pdf.multi_cell(110, 4, _latin(row["basis"]), new_x="LMARGIN", new_y="NEXT")
            for line in [row["target"], row.get("trend", "")] + [f"{label}: {shown} ({basis})" for label, shown, basis in row.get("detail", [])]:
                if line:
                    pdf.set_x(MARGIN)
                    pdf.multi_cell(110, 4, _latin(line), new_x="LMARGIN", new_y="NEXT")
            bottom = pdf.get_y()
            _bars(pdf, row["weeks"], MARGIN + 115, top, 65, 18)
            pdf.set_y(max(bottom, top + 24))
            pdf.set_draw_color(220, 220, 220)
            pdf.line(MARGIN, pdf.get_y(), A4_W - MARGIN, pdf.get_y())
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 7, _latin(doc.overdue_heading), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    if not doc.overdue:
        pdf.multi_cell(0, 5, _latin(doc.overdue_none), new_x="LMARGIN", new_y="NEXT")
    for agency, rows in doc.overdue:
        pdf.set_font("Helvetica", "B", 10)
        pdf.multi_cell(0, 6, _latin(agency), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        for label, width in zip(doc.columns, (50, 60, 60)):
            pdf.cell(width, 5, _latin(label), border="B")
        pdf.ln()
        for ticket, category, late in rows:
            for value, width in zip((ticket, category, late), (50, 60, 60)):
                pdf.cell(width, 5, _latin(value))
            pdf.ln()
    for heading, rows in doc.downtime:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 13)
        pdf.multi_cell(0, 7, _latin(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        if not rows:
            pdf.multi_cell(0, 5, _latin(doc.down_none), new_x="LMARGIN", new_y="NEXT")
        for name, hours in rows:
            pdf.cell(110, 5, _latin(name))
            pdf.cell(40, 5, _latin(hours))
            pdf.ln()
    if pdf.get_y() > A4_H - map_size[1] - 40:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 7, _latin(doc.map_heading), new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y() + 2
    pdf.set_draw_color(60, 60, 60)
    pdf.set_line_width(0.2)
    for area in areas:
        pdf.set_fill_color(*_hex(area.colour))
        for ring in area.rings:
            pdf.polygon([(MARGIN + x, top + y) for x, y in ring], style="DF")
    y = top + map_size[1] + 3
    pdf.set_font("Helvetica", "", 8)
    for colour, label in doc.legend:
        pdf.set_fill_color(*_hex(colour))
        pdf.rect(MARGIN, y, 5, 4, style="DF")
        pdf.set_xy(MARGIN + 7, y)
        pdf.cell(80, 4, _latin(label))
        y += 5
    return bytes(pdf.output())


def _bars(pdf: FPDF, weeks: list[tuple[str, float | None, str]], x: float, y: float, width: float, height: float) -> None:
    """One bar per week (height 0..1 of the box; None: no bar, a dash), the last week darker."""
    step = width / max(1, len(weeks))
    pdf.set_font("Helvetica", "", 5)
    for i, (label, fraction, _) in enumerate(weeks):
        left = x + i * step
        if fraction is None:
            pdf.set_draw_color(170, 170, 170)
            pdf.line(left + 0.5, y + height, left + step - 1, y + height)
        else:
            h = max(0.4, fraction * height)
            pdf.set_fill_color(*((11, 61, 145) if i == len(weeks) - 1 else (120, 150, 200)))
            pdf.rect(left + 0.5, y + height - h, step - 1.5, h, style="F")
        pdf.set_xy(left, y + height + 0.5)
        pdf.cell(step, 2.5, _latin(label), align="C")


def store_report(directory: Path, monday: date, html: str, pdf: bytes) -> tuple[Path, Path]:
    """Write the week's report files (replacing older ones of the same week); returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    html_path, pdf_path = directory / f"kinerja-{monday.isoformat()}.html", directory / f"kinerja-{monday.isoformat()}.pdf"
    for path, content in ((html_path, html.encode("utf-8")), (pdf_path, pdf)):
        partial = path.with_suffix(path.suffix + ".part")
        partial.write_bytes(content)
        partial.replace(path)
    return html_path, pdf_path


def stored_weeks(directory: Path) -> list[date]:
    """Mondays of the reports stored, newest first."""
    weeks = []
    for path in directory.glob("kinerja-*.pdf"):
        try:
            weeks.append(date.fromisoformat(path.stem.removeprefix("kinerja-")))
        except ValueError:
            continue
    return sorted(weeks, reverse=True)


