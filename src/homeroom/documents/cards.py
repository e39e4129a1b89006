"""Start and login cards as a PDF: eight cards to a US Letter page, framed by dashed cut lines.

Pure rendering: a `CardSheet` in, PDF bytes out. Each card shows the student's name, school and class, the
site to sign in to, the username, and the secret in a large monospaced font (a one-time code with its
expiry date, or a password).
"""

from __future__ import annotations

from typing import Final

from fpdf import FPDF

from homeroom.documents.pdf import fitted, new_document, to_bytes
from homeroom.services.cards import Card, CardSheet

COLUMNS: Final = 2
ROWS: Final = 4
CARD_W: Final = 95.0
CARD_H: Final = 62.0
PAGE_W: Final = 215.9
PAGE_H: Final = 279.4
PAD: Final = 5.0
GRAY: Final = 110
SECRET_LABELS: Final = {"code": "Sign-in code", "password": "Password"}


def render_cards(sheet: CardSheet) -> bytes:
    """The sheet's cards, in order, eight to a page."""
    pdf = new_document(f"{sheet.title}s", site=sheet.site)
    gap_x = (PAGE_W - COLUMNS * CARD_W) / (COLUMNS + 1)
    gap_y = (PAGE_H - ROWS * CARD_H) / (ROWS + 1)
    per_page = COLUMNS * ROWS
    for index, card in enumerate(sheet.cards):
        if index % per_page == 0:
            pdf.add_page()
        slot = index % per_page
        x = gap_x + (slot % COLUMNS) * (CARD_W + gap_x)
        y = gap_y + (slot // COLUMNS) * (CARD_H + gap_y)
        _card(pdf, sheet, card, x, y)
    if not sheet.cards:
        pdf.add_page()
    return to_bytes(pdf)


def _card(pdf: FPDF, sheet: CardSheet, card: Card, x: float, y: float) -> None:
    pdf.set_draw_color(GRAY)
    pdf.set_dash_pattern(dash=2, gap=1.5)
    pdf.rect(x, y, CARD_W, CARD_H)
    pdf.set_dash_pattern()
    inner = CARD_W - 2 * PAD
    _line(pdf, x, y + 5, inner, (sheet.title.upper(), "Helvetica", "B", 8), gray=True)
    _line(pdf, x, y + 9, inner, (card.name, "Helvetica", "B", 15))
    _line(pdf, x, y + 17, inner, (f"School: {card.school}", "Helvetica", "", 9))
    _line(pdf, x, y + 21.5, inner, (f"Class: {card.class_name}", "Helvetica", "", 9))
    _line(pdf, x, y + 26, inner, (f"Site: {sheet.site}", "Helvetica", "", 9))
    _label(pdf, x, y + 31, "Username")
    _line(pdf, x, y + 34, inner, (card.username, "Courier", "B", 13))
    _label(pdf, x, y + 41, SECRET_LABELS[card.secret_kind])
    _line(pdf, x, y + 44, inner, (card.secret, "Courier", "B", 15))
    note = (
        f"Works once. Valid until {card.expires_at:%Y-%m-%d}."
        if card.expires_at is not None
        else "Keep this card private."
    )
    _line(pdf, x, y + 54, inner, (note, "Helvetica", "I", 7), gray=True)


def _label(pdf: FPDF, x: float, y: float, text: str) -> None:
    _line(pdf, x, y, CARD_W - 2 * PAD, (text, "Helvetica", "", 7), gray=True)


def _line(
    pdf: FPDF, x: float, y: float, width: float, text: tuple[str, str, str, float], *, gray: bool = False
) -> None:
    content, family, style, size = text
    pdf.set_font(family, style, size)
    pdf.set_text_color(GRAY if gray else 0)
    pdf.set_xy(x + PAD, y)
    pdf.cell(width, size * 0.42, fitted(pdf, content, width))
