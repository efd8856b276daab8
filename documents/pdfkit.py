"""Shared page set-up for the documents: A4, the CJK face, reproducible bytes.

The same input must give the same bytes, so that the sha256 of a result notice identifies its
version: the creation date is fixed by the caller (the document's own date), never "now",
and fpdf2's file identifier is derived from the content.

Every helper takes text of any length. The offices' answers (a refusal reason, a name, an
employer) come from outside, so nothing here may fail on a long one: values wrap (a run
without spaces, such as a URL, is broken between characters), and a table row taller than a
page is split into continuation rows, because fpdf2 refuses to draw a row that does not fit
on one page ("row too high"). Rows that fit are drawn exactly as before, so the notices of
ordinary cases keep their bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos
from fpdf.fonts import FontFace

from documents.fonts import add_pdf_font

MARGIN_MM = 16
BODY_PT = 10.5
LINE_MM = 5.4
CELL_PADDING_MM = 1.5
# A table row of at most this many lines always fits under the repeated heading of a page
# (42 x 5.4 mm = 227 mm of the 265 mm between the margins); a taller one is split.
ROW_LINES = 42
# A field (name, ID number ...) is one box in a two-column grid that must fit on one page: a
# value needing more lines than this is cut, with a visible ellipsis. 40 lines of a field hold
# about 550 Chinese characters, far more than any name or number.
FIELD_LINES = 40


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
        """Label/value rows in a bordered grid, two pairs per line; a long value wraps in its
        box and the line grows."""
        half = (self.epw) / 2
        for i in range(0, len(rows), 2):
            pairs = rows[i : i + 2]
            if all(self._one_line(value, half - label_width) for _, value in pairs):
                # The common case, drawn as it always was (same bytes as before).
                for label, value in pairs:
                    self.set_fill_color(245, 245, 245)
                    self.cell(label_width, 8, label, border=1, fill=True)
                    self.cell(half - label_width, 8, value, border=1)
                self.ln(8)
                continue
            values = [self.lines(value, half - label_width) for _, value in pairs]
            self._tall_fields([label for label, _ in pairs], values, half, label_width)

    def _tall_fields(
        self, labels: list[str], values: list[list[str]], half: float, label_width: float
    ) -> None:
        shown = [v if len(v) <= FIELD_LINES else _cut(v[:FIELD_LINES]) for v in values]
        height = max(8.0, max(len(v) for v in shown) * LINE_MM + 2 * CELL_PADDING_MM)
        if self.will_page_break(height):
            self.add_page()
        top = self.get_y()
        x = self.l_margin
        for label, lines in zip(labels, shown, strict=True):
            self.set_fill_color(245, 245, 245)
            self.set_xy(x, top)
            self.cell(label_width, height, label, border=1, fill=True)
            self.rect(x + label_width, top, half - label_width, height)
            self.set_xy(x + label_width, top + CELL_PADDING_MM)
            self.multi_cell(half - label_width, LINE_MM, "\n".join(lines), align="L")
            x += half
        self.set_xy(self.l_margin, top + height)

    def _one_line(self, text: str, width: float) -> bool:
        return "\n" not in text and self.get_string_width(text) <= width - 2 * self.c_margin

    def _surely_fits(self, text: str, width: float, max_lines: int) -> bool:
        """True when `text` certainly takes at most `max_lines` lines in `width` mm, judged
        from its width alone. A measuring dry run would number the font's glyphs in another
        order and so change the bytes of ordinary notices; this bound does not touch the
        document. Word wrapping wastes less than one line per line filled, hence the 2x."""
        usable = width - 2 * self.c_margin
        needed = 0
        for segment in text.split("\n"):
            needed += 2 * int(self.get_string_width(segment) // usable) + 1
        return needed <= max_lines

    def lines(self, text: str, width: float) -> list[str]:
        """How `text` breaks into lines in a cell `width` mm wide at the current font."""
        if not text:
            return [""]
        out = self.multi_cell(
            width, LINE_MM, text, dry_run=True, output=MethodReturnValue.LINES, align="L"
        )
        assert isinstance(out, list)  # output=LINES gives the lines alone
        return [str(line) for line in out]

    def grid(
        self, header: tuple[str, ...], rows: Sequence[tuple[str, ...]], widths: tuple[int, ...]
    ) -> None:
        """A table with a shaded header; cells wrap, and a row too tall for a page goes on
        in continuation rows (the heading repeats on each page)."""
        with self.table(
            col_widths=widths,
            text_align="LEFT",
            line_height=LINE_MM,
            padding=CELL_PADDING_MM,
            headings_style=FontFace(emphasis=None, fill_color=(235, 240, 248)),
            first_row_as_headings=True,
        ) as table:
            for row in (header, *self._fitting_rows(rows, widths)):
                cells = table.row()
                for value in row:
                    cells.cell(value)

    def _fitting_rows(
        self, rows: Sequence[tuple[str, ...]], widths: tuple[int, ...]
    ) -> list[tuple[str, ...]]:
        scale = self.epw / sum(widths)
        out: list[tuple[str, ...]] = []
        for row in rows:
            inner = [w * scale - 2 * CELL_PADDING_MM for w in widths]
            if all(self._surely_fits(v, w, ROW_LINES) for v, w in zip(row, inner, strict=True)):
                out.append(tuple(row))
                continue
            # 1 mm narrower than the cell: a line measured here never wraps again when drawn.
            columns = [
                self.lines(value, w * scale - 2 * CELL_PADDING_MM - 1)
                for value, w in zip(row, widths, strict=True)
            ]
            if max(len(c) for c in columns) <= ROW_LINES:
                out.append(tuple(row))
                continue
            for start in range(0, max(len(c) for c in columns), ROW_LINES):
                out.append(tuple("\n".join(c[start : start + ROW_LINES]) for c in columns))
        return out

    def bytes(self) -> bytes:
        return bytes(self.output())


def _cut(lines: list[str]) -> list[str]:
    """The lines kept of a value too long for its box, the last one ending in an ellipsis."""
    return [*lines[:-1], lines[-1][:-1] + "…"]
