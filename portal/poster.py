"""The printable A4 poster "Kenali Command Center": a title, a few lines, and QR codes (drawn as
vector squares, sharp at any print size) to the portal and the report form. Sizes in mm."""
from __future__ import annotations

import segno
from fpdf import FPDF

A4_W, A4_H = 210.0, 297.0
MARGIN = 18.0


def _qr(pdf: FPDF, text: str, x: float, y: float, size: float) -> None:
    """A QR code of `text`, `size` mm wide including its quiet zone, top-left at (x, y)."""
    matrix = [list(row) for row in segno.make(text, error="m", micro=False).matrix_iter(border=2)]
    module = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if row[c]:
                run = c
                while run < len(row) and row[run]:
                    run += 1
                pdf.rect(x + c * module, y + r * module, (run - c) * module, module, style="F")
                c = run
            else:
                c += 1


def poster_pdf(*, title: str, subtitle: str, lines: list[str], codes: list[tuple[str, str]], footer: str) -> bytes:
    """An A4 PDF. `codes`: (caption, URL) pairs, each printed as a QR code with its caption and URL
    under it. Texts must be Latin-1 (the PDF core fonts)."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_page()
    pdf.set_title(title)
    pdf.set_fill_color(11, 61, 145)
    pdf.rect(0, 0, A4_W, 62, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(MARGIN, 16)
    pdf.set_font("Helvetica", "B", 30)
    pdf.multi_cell(A4_W - 2 * MARGIN, 12, title, align="L")
    pdf.set_font("Helvetica", "", 15)
    pdf.set_x(MARGIN)
    pdf.multi_cell(A4_W - 2 * MARGIN, 7, subtitle, align="L")
    pdf.set_text_color(20, 20, 20)
    pdf.set_xy(MARGIN, 74)
    pdf.set_font("Helvetica", "", 14)
    for line in lines:
        pdf.set_x(MARGIN)
        pdf.multi_cell(A4_W - 2 * MARGIN, 7.5, "- " + line, align="L")
        pdf.ln(1.5)
    size = 70.0
    gap = (A4_W - 2 * MARGIN - len(codes) * size) / max(1, len(codes) - 1) if len(codes) > 1 else 0
    top = max(pdf.get_y() + 8, 150)
    for i, (caption, url) in enumerate(codes):
        x = MARGIN + i * (size + gap) if len(codes) > 1 else (A4_W - size) / 2
        _qr(pdf, url, x, top, size)
        pdf.set_xy(x - 5, top + size + 2)
        pdf.set_font("Helvetica", "B", 14)
        pdf.multi_cell(size + 10, 7, caption, align="C")
        pdf.set_x(x - 5)
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(size + 10, 5, url, align="C")
    pdf.set_xy(MARGIN, A4_H - 26)
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(A4_W - 2 * MARGIN, 6, footer, align="C")
    return bytes(pdf.output())
