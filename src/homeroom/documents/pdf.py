"""What the PDF documents share: a US Letter page set up with fpdf2, and text the built-in fonts can print.

The documents use the PDF core fonts (Helvetica, Courier), which need no font file and print Latin-1. A
character outside Latin-1 is printed as its unaccented letter where Unicode has one (`Ł` has none, `Ő` is
`O`), typographic punctuation as its ASCII look-alike, and anything else as `?`: a name is never dropped
and a document never fails to render. Shipping a Unicode TrueType font would lift this limit.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from fpdf import FPDF

LETTER: Final = "letter"
LOOK_ALIKES: Final = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
    }
)
ELLIPSIS: Final = "..."


def printable(text: str) -> str:
    """`text` in characters the core fonts can print (see the module's docstring)."""
    out = []
    for ch in text.translate(LOOK_ALIKES):
        if _latin1(ch):
            out.append(ch if ch.isprintable() else " ")
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFKD", ch) if _latin1(c) and not unicodedata.combining(c)
        )
        out.append(base or "?")
    return "".join(out)


def _latin1(ch: str) -> bool:
    return ord(ch) < 256


def new_document(title: str, *, site: str) -> FPDF:
    """A Letter document with its metadata, no automatic page breaks (the layouts place every line)."""
    pdf = FPDF(orientation="P", unit="mm", format=LETTER)
    pdf.set_title(printable(title))
    pdf.set_author(printable(f"Homeroom - {site}"))
    pdf.set_creator("Homeroom")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(10, 10, 10)
    return pdf


def fitted(pdf: FPDF, text: str, width: float) -> str:
    """`text` (made printable), shortened with an ellipsis until it fits `width` in the current font."""
    text = printable(text)
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + ELLIPSIS) > width:
        text = text[:-1]
    return text + ELLIPSIS


def to_bytes(pdf: FPDF) -> bytes:
    return bytes(pdf.output())
