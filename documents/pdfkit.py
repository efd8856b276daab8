"""Shared page set-up for the documents: A4, the CJK face, reproducible bytes.

The same input must give the same bytes, so that the sha256 of a result notice identifies its
version: the creation date is fixed by the caller (the document's own date), never "now",
and fpdf2's file identifier is derived from the content.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from documents.fonts import add_pdf_font

MARGIN_MM = 16
BODY_PT = 10.5
LINE_MM = 5.4


class Page(FPDF):
    """An A4 portrait document set in Noto Sans CJK SC with a few layout helpers."""

    def __init__(self, *, title: str, dated: date, footer: str = "") -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.family = add_pdf_font(self)
        self._footer_text = footer
        self.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.set_auto_page_break(auto=True, margin=MARGIN_MM)
        self.set_title(title)
        self.set_creator("retirement-one-thing")
        self.set_lang("zh-CN")
        self.set_creation_date(datetime(dated.year, dated.month, dated.day, tzinfo=UTC))
        self.add_page()
        self.set_font(self.family, size=BODY_PT)

    def footer(self) -> None:
        if not self._footer_text:
            return
        self.set_y(-12)
        self.set_font(self.family, size=7.5)
        self.set_text_color(110)
        self.cell(0, 5, f"{self._footer_text}    {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0)

    # -- layout helpers -------------------------------------------------------------------
    def heading(self, text: str, size: float = 17) -> None:
        self.set_font(self.family, size=size)
        self.multi_cell(0, size * 0.55, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.family, size=BODY_PT)
        self.ln(2)

    def subheading(self, text: str) -> None:
        self.ln(2)
        self.set_font(self.family, size=12)
        self.set_fill_color(235, 240, 248)
        self.cell(0, 8, text, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.family, size=BODY_PT)
        self.ln(1)

    def para(self, text: str, size: float = BODY_PT) -> None:
        self.set_font(self.family, size=size)
        self.multi_cell(0, LINE_MM, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.family, size=BODY_PT)

    def fields(self, rows: list[tuple[str, str]], label_width: float = 34) -> None:
        """Label/value rows in a bordered grid, two pairs per line."""
        half = (self.epw) / 2
        for i in range(0, len(rows), 2):
            for label, value in rows[i : i + 2]:
                self.set_fill_color(245, 245, 245)
                self.cell(label_width, 8, label, border=1, fill=True)
                self.cell(half - label_width, 8, value, border=1)
            self.ln(8)

    def grid(
        self, header: tuple[str, ...], rows: Sequence[tuple[str, ...]], widths: tuple[int, ...]
    ) -> None:
        """A table with a shaded header; cells wrap."""
        with self.table(
            col_widths=widths,
            text_align="LEFT",
            line_height=LINE_MM,
            padding=1.5,
            headings_style=FontFace(emphasis=None, fill_color=(235, 240, 248)),
            first_row_as_headings=True,
        ) as table:
            for row in (header, *rows):
                cells = table.row()
                for value in row:
                    cells.cell(value)

    def bytes(self) -> bytes:
        return bytes(self.output())
