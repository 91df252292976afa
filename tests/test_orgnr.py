"""Organisationsnummer: shape, the legal-person digit and the Luhn check digit."""

import pytest

from app.accounts.models import Company
from app.accounts.orgnr import normalise_orgnr, with_check_digit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("556016-0680", "556016-0680"),  # a real aktiebolag's number
        ("5560160680", "556016-0680"),
        (" 16556016-0680 ", "556016-0680"),
        ("212000-2627", "212000-2627"),  # a municipality (kommun)
    ],
)
def test_valid_numbers_are_normalised(text, expected):
    assert normalise_orgnr(text) == expected


@pytest.mark.parametrize(
    "text",
    ["556016-0681", "556016-068", "55601606800", "abcdef-ghij", "", "811218-9876", "556016–0680"],
)
def test_invalid_numbers_are_refused(text):
    assert normalise_orgnr(text) is None


def test_check_digit_completion_round_trips():
    number = with_check_digit("556677889")
    assert normalise_orgnr(number) == number


def test_a_company_cannot_hold_an_invalid_number():
    with pytest.raises(ValueError, match="organisationsnummer"):
        Company(name="Fel AB", org_number="556016-0681", industry="steel")
    assert Company(name="Rätt AB", org_number="5560160680").org_number == "556016-0680"
