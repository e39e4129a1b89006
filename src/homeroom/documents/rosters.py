"""A class roster as a PDF: the class, its school and teachers, then one line per student with the username.

Pure rendering: a `ClassRoster` in, PDF bytes out. Long rosters continue on further pages, each repeating
the class name and the table's header.
"""

from __future__ import annotations

from typing import Final

from fpdf import FPDF

from homeroom.documents.pdf import fitted, new_document, to_bytes
from homeroom.services.class_rosters import ClassRoster

LEFT: Final = 15.0
WIDTH: Final = 185.9
LINE: Final = 7.0
BOTTOM: Final = 262.0
TABLE: Final = (("#", 12.0), ("Student", 88.0), ("Username", 60.0), ("Status", 25.9))


def render_roster(roster: ClassRoster) -> bytes:
    """Every student of the roster, in its order, under the class's heading."""
    pdf = new_document(f"Class roster - {roster.class_name}", site=roster.site)
    pdf.set_left_margin(LEFT)
    _first_page(pdf, roster)
    for number, student in enumerate(roster.students, start=1):
        if pdf.get_y() + LINE > BOTTOM:
            _next_page(pdf, roster)
        values = (str(number), student.name, student.username or "-", student.status)
        pdf.set_font("Helvetica", "", 10)
        for (_title, width), value in zip(TABLE, values, strict=True):
            pdf.cell(width, LINE, fitted(pdf, value, width - 2), border="B")
        pdf.ln(LINE)
    if not roster.students:
        pdf.set_font("Helvetica", "I", 10)
        pdf.cell(WIDTH, LINE, "No students are enrolled in this class.")
    return to_bytes(pdf)


def _first_page(pdf: FPDF, roster: ClassRoster) -> None:
    pdf.add_page()
    pdf.set_xy(LEFT, 15)
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(WIDTH, 10, fitted(pdf, f"Class roster: {roster.class_name}", WIDTH))
    pdf.ln(12)
    teachers = ", ".join(t.name for t in roster.teachers) or "none assigned"
    for label, value in (
        ("School", roster.school),
        ("Teachers", teachers),
        ("Students", str(len(roster.students))),
        ("Site", roster.site),
        ("Printed", f"{roster.printed_at:%Y-%m-%d %H:%M} UTC"),
    ):
        pdf.set_x(LEFT)
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(25, 6, f"{label}:")
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(WIDTH - 25, 6, fitted(pdf, value, WIDTH - 27))
        pdf.ln(6)
    pdf.ln(4)
    _header(pdf)


def _next_page(pdf: FPDF, roster: ClassRoster) -> None:
    pdf.add_page()
    pdf.set_xy(LEFT, 15)
    pdf.set_font("Helvetica", "I", 9)
    pdf.cell(WIDTH, 6, fitted(pdf, f"Class roster: {roster.class_name} (continued)", WIDTH))
    pdf.ln(8)
    _header(pdf)


def _header(pdf: FPDF) -> None:
    pdf.set_x(LEFT)
    pdf.set_font("Helvetica", "B", 10)
    pdf.set_fill_color(230)
    for title, width in TABLE:
        pdf.cell(width, LINE, title, border="B", fill=True)
    pdf.ln(LINE)
    pdf.set_x(LEFT)
