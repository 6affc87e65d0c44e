"""The one writer of every export a person opens in a spreadsheet program (survey, reports, indicators, and any
later one): XLSX and CSV.

What people typed must never become a live formula (OWASP, CSV injection). In XLSX every text is a string cell,
never a formula, whatever it starts with; in CSV a text that starts with =, +, -, @, a tab or a carriage
return gets a leading apostrophe, which spreadsheet programs read as "this is text". Characters XML cannot
carry (control characters) are dropped instead of failing the whole export.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Sheet:
    title: str
    rows: Iterable[Sequence[object]]  # the first row is the header
    number_formats: Mapping[str, str] = field(default_factory=dict)  # column letter -> format of its data rows


def csv_text(value: object) -> object:
    """A CSV field that a spreadsheet program shows as the text it is (numbers stay numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(rows: Iterable[Sequence[object]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([csv_text(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook()
    book.remove(book.worksheets[0])
    for spec in sheets:
        sheet = book.create_sheet(spec.title)
        for row in spec.rows:
            sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
        for column, number_format in spec.number_formats.items():
            for cell in sheet[column][1:]:
                cell.number_format = number_format
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
