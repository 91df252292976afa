"""Every CSV file the app writes: Excel-Swedish, and safe to open in a spreadsheet.

Excel in Swedish opens a file by double-click correctly only with a UTF-8 byte order
mark and semicolons. A cell starting with = + - @ (or a tab or carriage return) is
read as a formula by Excel and LibreOffice, so a name typed as
`=HYPERLINK("http://evil")` would become a live link in a coordinator's sheet
(CSV injection, OWASP). Such cells are written with a leading apostrophe, which the
spreadsheet shows as text; the stored value stays as it was typed.
"""

import csv
import io
from collections.abc import Iterable

from flask import Response

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The cell's text, with an apostrophe in front when a spreadsheet would run it."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # Numbers are data, including negative ones.
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(header: list, rows: Iterable[Iterable]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def csv_response(filename: str, header: list, rows: Iterable[Iterable]) -> Response:
    """A download of the table, named `filename` (ASCII, with .csv: a name in the reader's
    language is written without å, ä, ö)."""
    return Response(
        to_csv(header, rows),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
