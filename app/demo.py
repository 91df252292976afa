"""A believable demo data set for trying the app: `flask seed-demo`.

Everything is made relative to today, deterministically (one random seed), and only
once: a second run finds the project admin and adds nothing.
"""

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.accounts.models import Company, Person
from app.accounts.orgnr import with_check_digit
from app.accounts.services import find_by_email, hash_password, new_person
from app.bookings.services import book_seat
from app.centers.models import CenterWorkstation, OpeningHours, TestCenter, WorkstationKind
from app.db import unit_of_work, utcnow
from app.errors import DomainError
from app.extensions import db
from app.regions.models import Municipality
from app.schedule.models import AssessorAuthorisation, ValidationModel, ValidationSession
from app.timeutil import local_date, local_to_utc

PASSWORD = "demo1234"
ACCREDITED = (date(2023, 6, 1), date(2028, 12, 31))
SIGN_INS = {
    "project_admin": "projektadmin@demo.example.se",
    "center_admin": "centeradmin@demo.example.se",
    "assessor": "testledare@demo.example.se",
    "coordinator": "samordnare@demo.example.se",
    "employee": "deltagare@demo.example.se",
}

# name, municipality, street, postal code, town, workstations beyond the computers
CENTERS = [
    (
        "Komvux Luleå teknikcentrum",
        "Luleå",
        "Svartövägen 12",
        "972 38",
        "Luleå",
        {"welding_booth": 6, "automation_station": 6, "maintenance_station": 4},
    ),
    (
        "Industricentrum Piteå",
        "Piteå",
        "Fabriksgatan 5",
        "941 52",
        "Piteå",
        {"welding_booth": 4, "cnc_machine": 3},
    ),
    (
        "Bodens yrkescentrum",
        "Boden",
        "Kungsgatan 40",
        "961 35",
        "Boden",
        {"maintenance_station": 4},
    ),
    (
        "Kiruna gruv- och industriskola",
        "Kiruna",
        "Hjalmar Lundbohmsvägen 20",
        "981 31",
        "Kiruna",
        {"maintenance_station": 6, "automation_station": 4},
    ),
    (
        "Gällivare teknikcollege",
        "Gällivare",
        "Storgatan 17",
        "982 31",
        "Gällivare",
        {"welding_booth": 4},
    ),
    (
        "Skellefteå industriskola",
        "Skellefteå",
        "Kanalgatan 60",
        "931 30",
        "Skellefteå",
        {"welding_booth": 6, "cnc_machine": 4, "automation_station": 6},
    ),
    (
        "Umeå teknikcentrum",
        "Umeå",
        "Formvägen 8",
        "906 21",
        "Umeå",
        {"cnc_machine": 4, "maintenance_station": 4},
    ),
    ("Lycksele lärcentrum", "Lycksele", "Skolgatan 9", "921 31", "Lycksele", {"welding_booth": 4}),
    ("Vilhelmina utbildningscenter", "Vilhelmina", "Volgsjövägen 31", "912 32", "Vilhelmina", {}),
]
FIRST_NAMES = [
    "Anna",
    "Erik",
    "Maria",
    "Lars",
    "Karin",
    "Johan",
    "Eva",
    "Anders",
    "Sara",
    "Per",
    "Linnea",
    "Mikael",
    "Elin",
    "Jonas",
    "Emma",
    "Fredrik",
    "Ida",
    "Niklas",
    "Hanna",
    "Mattias",
    "Sofia",
    "Patrik",
    "Maja",
    "Henrik",
    "Julia",
    "Oskar",
    "Elsa",
    "Viktor",
    "Amira",
    "Ahmed",
    "Aino",
    "Nils",
    "Frida",
    "Tomas",
    "Josefin",
    "Kalle",
    "Matilda",
    "Ali",
    "Lovisa",
    "Simon",
]
LAST_NAMES = [
    "Lindberg",
    "Nilsson",
    "Johansson",
    "Lundström",
    "Berglund",
    "Öberg",
    "Lindqvist",
    "Andersson",
    "Holmberg",
    "Nordström",
    "Sundström",
    "Lundgren",
    "Eriksson",
    "Marklund",
    "Burman",
    "Wikström",
    "Grahn",
    "Lindgren",
    "Nyström",
    "Forsberg",
    "Karlsson",
    "Rova",
    "Pekkari",
    "Kuoksu",
    "Hansson",
    "Öhman",
    "Sandberg",
    "Hedlund",
    "Åström",
    "Granström",
]
STEEL_WORDS = ["Stål", "Stålservice", "Stålbearbetning", "Smide", "Plåt", "Valsverk"]
METAL_WORDS = ["Mekaniska", "Verkstad", "Legotillverkning", "Svets", "CNC", "Precision"]
NORRBOTTEN = ["Luleå", "Piteå", "Boden", "Kiruna", "Gällivare", "Kalix", "Haparanda", "Älvsbyn"]
VASTERBOTTEN = ["Skellefteå", "Umeå", "Lycksele", "Vilhelmina", "Vännäs", "Norsjö", "Storuman"]
ASSESSORS = [
    (
        "Birgitta Testledare",
        "testledare@demo.example.se",
        "Luleå",
        "industriteknik-bas automation-bas underhall-bas gruvteknik",
    ),
    (
        "Göran Strand",
        "goran.strand@demo.example.se",
        "Piteå",
        "svets-vit svets-gron svets-bla svets-svart cnc-teknik",
    ),
    ("Mona Lindahl", "mona.lindahl@demo.example.se", "Boden", "industriteknik-bas underhall-bas"),
    (
        "Roger Pekkala",
        "roger.pekkala@demo.example.se",
        "Kiruna",
        "gruvteknik underhall-bas automation-bas",
    ),
    (
        "Siv Alatalo",
        "siv.alatalo@demo.example.se",
        "Gällivare",
        "industriteknik-bas svets-vit svets-gron",
    ),
    (
        "Stefan Marklund",
        "stefan.marklund@demo.example.se",
        "Skellefteå",
        "svets-vit svets-gron svets-bla cnc-teknik",
    ),
    (
        "Helena Byström",
        "helena.bystrom@demo.example.se",
        "Skellefteå",
        "industriteknik-bas automation-bas",
    ),
    (
        "Ulf Nordin",
        "ulf.nordin@demo.example.se",
        "Umeå",
        "industriteknik-bas cnc-teknik underhall-bas",
    ),
    (
        "Karin Sjölund",
        "karin.sjolund@demo.example.se",
        "Lycksele",
        "industriteknik-bas svets-vit svets-gron",
    ),
    ("Olof Persson", "olof.persson@demo.example.se", "Vilhelmina", "industriteknik-bas gruvteknik"),
]
START_TIMES = (time(8, 0), time(12, 30))


def seed_demo(now: datetime | None = None) -> list[str]:
    """Load the demo data unless it is there already; return what to tell the user."""
    now = now or utcnow()
    if find_by_email(SIGN_INS["project_admin"]) is not None:
        return ["Demodata finns redan; inget lades till.", *_sign_in_lines()]
    rng = random.Random(2026)
    password_hash = hash_password(PASSWORD)
    with unit_of_work():
        centers = _centers()
        assessors = _assessors(centers, password_hash)
        companies = _companies(rng)
        coordinators, employees = _people(rng, companies, password_hash)
        _admins(centers, password_hash)
        sessions = _sessions(rng, centers, assessors, now)
    session_ids = [s.id for s in sessions]
    booked = _bookings(rng, session_ids, coordinators, employees, now)
    return [
        f"Skapade {len(centers)} testcenter, {len(assessors)} testledare, "
        f"{len(companies)} företag, {len(employees)} deltagare, {len(session_ids)} pass "
        f"och {booked} bokningar.",
        *_sign_in_lines(),
    ]


def _sign_in_lines() -> list[str]:
    labels = {
        "employee": "Deltagare",
        "coordinator": "Företagets samordnare",
        "assessor": "Testledare",
        "center_admin": "Testcenteradministratör (Luleå)",
        "project_admin": "Projektadministratör",
    }
    lines = [f"Logga in med lösenordet {PASSWORD}:"]
    lines += [f"  {labels[role]:<34} {SIGN_INS[role]}" for role in labels]
    lines.append("Starta appen och öppna http://127.0.0.1:5000")
    return lines


def _municipality(name: str) -> Municipality:
    return db.session.scalar(select(Municipality).where(Municipality.name == name))


def _centers() -> list[TestCenter]:
    kinds = {k.code: k for k in db.session.scalars(select(WorkstationKind))}
    centers = []
    for index, (name, town, street, postal, post_town, extra) in enumerate(CENTERS):
        slug = town.lower().replace("å", "a").replace("ä", "a").replace("ö", "o")
        center = TestCenter(
            name=name,
            municipality=_municipality(town),
            street_address=street,
            postal_code=postal,
            postal_town=post_town,
            contact_name=f"Kontaktperson {town}",
            contact_email=f"testcenter.{slug}@demo.example.se",
            contact_phone=f"0{920 + index} - 10 00 0{index}",
            accredited_from=ACCREDITED[0],
            accredited_to=ACCREDITED[1],
        )
        counts = {"computer": 8 + 2 * (index % 5), **extra}
        center.workstations = [
            CenterWorkstation(kind=kinds[code], count=count) for code, count in counts.items()
        ]
        center.opening_hours = [
            OpeningHours(weekday=weekday, opens=time(7, 0), closes=time(17, 0))
            for weekday in range(5)
        ]
        db.session.add(center)
        centers.append(center)
    db.session.flush()
    return centers


def _assessors(centers, password_hash) -> list[tuple[Person, str, set[str]]]:
    models = {m.code: m for m in db.session.scalars(select(ValidationModel))}
    result = []
    for name, email, town, codes in ASSESSORS:
        person = new_person(name, email, roles=("assessor",), password_hash=password_hash)
        person.home_center = next(c for c in centers if c.postal_town == town)
        db.session.add(person)
        for code in codes.split():
            db.session.add(
                AssessorAuthorisation(
                    person=person,
                    model=models[code],
                    valid_from=ACCREDITED[0],
                    valid_to=ACCREDITED[1],
                )
            )
        result.append((person, town, set(codes.split())))
    db.session.flush()
    return result


def _companies(rng: random.Random) -> list[Company]:
    companies = []
    names = set()
    for index in range(50):
        steel = index < 30
        town = rng.choice(NORRBOTTEN if steel else VASTERBOTTEN)
        industry = "steel" if steel else ("metal" if index < 46 else "other")
        words = STEEL_WORDS if steel else METAL_WORDS
        name = f"{town} {rng.choice(words)} AB"
        while name in names:
            name = f"{rng.choice(LAST_NAMES)}s {rng.choice(words)} i {town} AB"
        names.add(name)
        company = Company(
            name=name,
            org_number=with_check_digit(f"55{index + 6110:04d}{rng.randint(100, 999)}"),
            municipality=_municipality(town),
            industry=industry,
        )
        db.session.add(company)
        companies.append(company)
    db.session.flush()
    return companies


def _slug(text: str) -> str:
    table = str.maketrans("åäöéÅÄÖ ", "aaoeaao-")
    return "".join(c for c in text.lower().translate(table) if c.isalnum() or c == "-")


def _people(rng, companies, password_hash):
    coordinators, employees = {}, []
    for index, company in enumerate(companies):
        email = (
            SIGN_INS["coordinator"]
            if index == 0
            else f"samordnare@{_slug(company.name)}.example.se"
        )
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        coordinator = new_person(
            name, email, roles=("coordinator",), company=company, password_hash=password_hash
        )
        db.session.add(coordinator)
        coordinators[company.id] = coordinator
    for index in range(500):
        company = companies[index % len(companies)]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = (
            SIGN_INS["employee"]
            if index == 0
            else f"{_slug(first)}.{_slug(last)}.{index}@{_slug(company.name)}.example.se"
        )
        person = new_person(
            f"{first} {last}",
            email,
            roles=("employee",),
            company=company,
            password_hash=password_hash,
        )
        db.session.add(person)
        employees.append(person)
    db.session.flush()
    return coordinators, employees


def _admins(centers, password_hash) -> None:
    db.session.add(
        new_person(
            "Pia Projektledare",
            SIGN_INS["project_admin"],
            roles=("project_admin",),
            password_hash=password_hash,
        )
    )
    for index, center in enumerate(centers):
        email = (
            SIGN_INS["center_admin"]
            if index == 0
            else f"admin.{_slug(center.postal_town)}@demo.example.se"
        )
        db.session.add(
            new_person(
                f"Administratör {center.postal_town}",
                email,
                roles=("center_admin",),
                center=center,
                password_hash=password_hash,
            )
        )
    db.session.flush()


def _sessions(rng, centers, assessors, now) -> list[ValidationSession]:
    """About three months of weekday sessions, with no testledare in two places at once."""
    models = list(db.session.scalars(select(ValidationModel)))
    busy: set[tuple[int, date]] = set()
    sessions = []
    first_day = local_date(now) + timedelta(days=3)
    for offset in range(88):
        day = first_day + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for center in rng.sample(centers, 2):
            counts = {w.kind.code: w.count for w in center.workstations}
            options = [m for m in models if counts.get(m.workstation_kind.code)]
            # The BAS and welding models are the ones most asked for.
            weights = [3 if m.code in ("industriteknik-bas", "svets-vit") else 1 for m in options]
            model = rng.choices(options, weights)[0]
            able = [
                person
                for person, town, codes in assessors
                if model.code in codes and (person.id, day) not in busy
            ]
            if not able:
                continue
            near = [p for p, town, _ in assessors if town == center.postal_town and p in able]
            assessor = near[0] if near else rng.choice(able)
            busy.add((assessor.id, day))
            starts_at = local_to_utc(day, rng.choice(START_TIMES))
            session = ValidationSession(
                center=center,
                model=model,
                assessor=assessor,
                starts_at=starts_at,
                ends_at=starts_at + model.duration,
                seats=min(model.max_group_size, counts[model.workstation_kind.code]),
            )
            db.session.add(session)
            sessions.append(session)
    db.session.flush()
    return sessions


def _bookings(rng, session_ids, coordinators, employees, now) -> int:
    """Book through the booking service, so that counters and waitlists are right."""
    made = 0
    for index, session_id in enumerate(session_ids):
        session = db.session.get(ValidationSession, session_id)
        if index % 12 == 0:
            wanted = session.seats + rng.randint(2, 6)  # full, with a waitlist
        elif index % 7 == 0:
            wanted = session.seats  # just full
        else:
            wanted = rng.randint(0, max(0, session.seats - 1))
        for employee in rng.sample(employees, wanted):
            actor = coordinators[employee.company_id] if rng.random() < 0.3 else employee
            try:
                book_seat(session_id, employee, actor, now=now)
                made += 1
            except DomainError:
                continue
    # Give the demo employee something to look at in Mina bokningar.
    demo = employees[0]
    for session_id in session_ids[5:]:
        session = db.session.get(ValidationSession, session_id)
        if session.seats_left > 1:
            book_seat(session_id, demo, demo, now=now)
            return made + 1
    return made
