"""Swedish organisationsnummer: normalising and the check digit."""

import re

_SHAPE = re.compile(r"^(?:16)?(\d{6})-?(\d{4})$")


def luhn_ok(digits: str) -> bool:
    """Tell whether a string of digits passes the Luhn (mod 10) check."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalise_orgnr(text: str) -> str | None:
    """Return the number as NNNNNN-NNNN, or None if it is not a valid organisationsnummer.

    A legal person's number has a third digit of at least 2 (so it is never a birth
    date) and a last digit that is the Luhn check digit of the other nine.
    """
    match = _SHAPE.match(text.strip().replace(" ", ""))
    if not match:
        return None
    digits = match.group(1) + match.group(2)
    if int(digits[2]) < 2 or not luhn_ok(digits):
        return None
    return f"{digits[:6]}-{digits[6:]}"


def with_check_digit(nine_digits: str) -> str:
    """Complete nine digits with their Luhn check digit (used for demo data)."""
    for check in "0123456789":
        if luhn_ok(nine_digits + check):
            return f"{nine_digits[:6]}-{nine_digits[6:]}{check}"
    raise AssertionError("unreachable: one check digit always fits")
