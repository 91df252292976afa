"""Read a CSV file the way a spreadsheet saved it, whatever Excel chose to do.

Excel in Swedish saves "CSV (semikolonavgränsad)" in Windows-1252 with semicolons
and CRLF, "CSV UTF-8" with a byte order mark, and elsewhere commas; "Unicode text"
is UTF-16 with tabs. The separator is taken from the header line. A cell that
app/csv_out.py wrote with an apostrophe so that no spreadsheet runs it as a formula
comes back as it was typed, so that a downloaded file can be fixed and uploaded again.
"""

import csv
import io
import re
from dataclasses import dataclass

from flask_babel import gettext as _

_DELIMITERS = (";", ",", "\t")
# Anything but tab, line feed and carriage return below a space: a binary file.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NEUTRALISED = re.compile(r"^'(?=[=+\-@])")
_WORKBOOKS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx (a zip), .xls


@dataclass
class Table:
    header: list[str]
    # (row number as a spreadsheet shows it, cells), for the rows that are not blank.
    rows: list[tuple[int, list[str]]]


class NotATable(ValueError):
    """The file cannot be read as a table; the message says why, for the person."""


def decode(data: bytes) -> str:
    if data.startswith(_WORKBOOKS):
        raise NotATable(
            _(
                "Filen är en Excel-arbetsbok, inte en CSV-fil. Välj Spara som i Excel, "
                'filformatet "CSV (semikolonavgränsad)", och ladda upp den filen.'
            )
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _CONTROL.search(text):
            return text
        break
    raise NotATable(
        _(
            "Filen är inte en textfil med kolumner. Spara listan i Excel som "
            '"CSV (semikolonavgränsad)" eller "CSV UTF-8" och försök igen.'
        )
    )


def _cell(value: str) -> str:
    return _NEUTRALISED.sub("", value.strip())


def read_table(data: bytes) -> Table:
    """The header and the non-blank rows, cells trimmed; NotATable if it is none."""
    text = decode(data)
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise NotATable(_("Filen är tom."))
    delimiter = max(_DELIMITERS, key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        # Numbered as Excel numbers its rows: a quoted cell that spans lines (a line
        # break typed in a cell) is still one row, a blank line is one.
        for number, cells in enumerate(reader, start=1):
            cleaned = [_cell(c) for c in cells]
            if any(cleaned):
                rows.append((number, cleaned))
    except csv.Error as error:
        raise NotATable(_("Filen går inte att läsa som CSV: %(error)s", error=str(error))) from None
    if not rows:  # separators and blanks only (";"): no header either
        raise NotATable(_("Filen är tom."))
    return Table(rows[0][1], rows[1:])
