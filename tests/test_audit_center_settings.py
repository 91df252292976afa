"""A center's own settings in the audit log: opening hours, workstations, closed days and
holidays opened anyway, each saved through its page and read on /audit by the center's
admins (and the project's), never by another center's."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from app.accounts.models import Person
from app.centers.models import CenterClosure
from app.extensions import db
from app.schedule.models import ValidationSession
from tests.conftest import Auth
from tests.forms import form_of, page_form

ANNA, OLLE, PIA = "Anna Luleåadmin", "Olle Kirunaadmin", "Pia Projektsson"
MIDSOMMARAFTON = date(2027, 6, 25)


def _signed_in(app, email: str):
    client = app.test_client()
    assert Auth(client).login(email).status_code == 302
    return client


def _sentences(html: str) -> list[str]:
    rows = re.findall(r"<tr>\s*<td><time[^>]*>.*?</time></td>\s*<td>(.*?)</td>", html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", row).split()) for row in rows]


def _log(client, **filters) -> list[str]:
    form = page_form(client, "/audit", method="get")
    response = form.fill(**filters).submit()
    assert response.status_code == 200
    return _sentences(response.get_data(as_text=True))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no SQL of its own
def test_a_centers_own_changes_are_in_its_log_and_nobody_elses(app, make):
    with app.app_context():
        lulea = make.center(name="Komvux Luleå", computers=8)
        kiruna = make.center(name="Lernia Kiruna", municipality="Kiruna")
        emails = {
            who: make.person(roles, center=center, name=name).email
            for who, roles, center, name in (
                ("anna", ("center_admin",), lulea, ANNA),
                ("olle", ("center_admin",), kiruna, OLLE),
                ("pia", ("project_admin",), None, PIA),
            )
        }
        cid = lulea.id
        doomed = make.session(center=lulea, local_day=MIDSOMMARAFTON).id
    anna = _signed_in(app, emails["anna"])
    admin_page = f"/centers/{cid}/admin"

    def save_workstations(**counts):
        form = page_form(anna, admin_page, action=f"/centers/{cid}/workstations")
        for kind, count in counts.items():
            form.set(kind, count)
        assert form.submit().status_code == 302

    save_workstations(**{"kind-1": "10", "kind-2": "6"})
    save_workstations(**{"kind-2": "0"})
    save_workstations()  # nothing changed: nothing to log
    hours = page_form(anna, admin_page, action=f"/centers/{cid}/hours")
    hours.set("opens-0", "09:00").set("closes-0", "16:00")
    hours.set("open-5", True).set("opens-5", "10:00").set("closes-5", "14:00")
    assert hours.submit().status_code == 302
    assert page_form(anna, admin_page, action=f"/centers/{cid}/hours").submit().status_code == 302

    closures = f"/centers/{cid}/closures"
    for values in (
        dict(first_day="2027-12-14", last_day="2027-12-16", reason="Vattenskada"),
        dict(first_day="2027-11-29", last_day="2027-12-01", reason="Inventering"),
        dict(first_day=MIDSOMMARAFTON.isoformat(), reason="Extra provdag", open_anyway="y"),
    ):
        form = page_form(anna, closures, button="Lägg till").fill(**values)
        assert form.submit().status_code == 302, values
    with app.app_context():
        ids = {c.reason: c.id for c in db.session.scalars(select(CenterClosure))}
    assert page_form(anna, f"/closures/{ids['Inventering']}/delete", button="Ja, ta bort").submit()
    ask = anna.get(f"/closures/{ids['Extra provdag']}/delete")
    removed = form_of(ask, anna, button="Ja, ta bort och ställ in passen").submit()
    assert removed.status_code == 302
    with app.app_context():
        # The session goes because midsommarafton is closed again, and says so.
        assert db.session.get(ValidationSession, doomed).cancel_reason == "Midsommarafton"

    said = _log(anna)
    at = "Komvux Luleå"
    expected = [
        f"{ANNA} ändrade arbetsplatserna för {at}: Datorplats för teoriprov 8 → 10, "
        "Automationsstation 0 → 6",
        f"{ANNA} ändrade arbetsplatserna för {at}: Automationsstation 6 → 0",
        f"{ANNA} ändrade öppettiderna för {at}: måndag 07.00–17.00 → 09.00–16.00, "
        "lördag stängt → 10.00–14.00",
        f"{ANNA} stängde {at} 14–16 december 2027: Vattenskada",
        f"{ANNA} stängde {at} 29 november – 1 december 2027: Inventering",
        f"{ANNA} tog bort stängningen av {at} 29 november – 1 december 2027: Inventering",
        f"{ANNA} öppnade {at} trots helgdag fredag 25 juni 2027: Extra provdag",
        f"{ANNA} tog bort undantaget öppet trots helgdag för {at} fredag 25 juni 2027: "
        "Extra provdag",
    ]
    for sentence in expected:
        assert sentence in said, f"{sentence!r} not among {said}"
    # One entry per save that changed something, and the cancelled session's reason.
    assert len([s for s in said if "arbetsplatserna" in s]) == 2
    assert len([s for s in said if "öppettiderna" in s]) == 1
    assert "Orsak: Midsommarafton" in anna.get("/audit").get_data(as_text=True)

    # Filtered by their kinds, which a center admin is offered.
    options = page_form(anna, "/audit", method="get").options("kind")
    assert {"opening_hours", "workstations", "closures", "open_anyway"} <= set(options)
    assert _log(anna, kind="closures") == [expected[5], expected[4], expected[3]]  # newest first
    assert len(_log(anna, kind="open_anyway")) == 2

    olle = _log(_signed_in(app, emails["olle"]))
    assert not [s for s in olle if ANNA in s or at in s], olle
    pia = _signed_in(app, emails["pia"])
    assert set(expected) <= set(_log(pia))
    with app.app_context():
        db.session.scalar(select(Person).where(Person.email == emails["pia"])).locale = "en"
        db.session.commit()
    # Days, weekdays and clock times in the reader's language (the sentences are the
    # catalogue's).
    english = " ".join(_log(pia))
    assert "Monday 07:00–17:00 → 09:00–16:00" in english
    assert "14–16 December 2027: Vattenskada" in english
    assert "Friday 25 June 2027: Extra provdag" in english
