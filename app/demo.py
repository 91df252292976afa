"""A believable demo data set for trying the app: `flask seed-demo`.

Everything is made relative to today, deterministically (fixed random seeds), and
only once: a second run finds the project admin and adds nothing. Besides three
months of coming sessions there is a history from HISTORY_FROM (September 2024) to
last week: sessions booked, attended or missed, and assessed, all through the
booking and results services with the time each thing happened.
"""

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app import domain_events
from app.accounts.models import Company, Person, Role
from app.accounts.orgnr import with_check_digit
from app.accounts.services import find_by_email, hash_password, new_person
from app.bookings.models import BookingStatus, Interest
from app.bookings.services import book_seat, cancel_booking
from app.centers.models import (
    CenterWorkstation,
    OpeningHours,
    TestCenter,
    WorkstationKind,
)
from app.centers.services import closed_reason, outside_opening_hours
from app.db import unit_of_work, utcnow
from app.errors import DomainError
from app.extensions import db
from app.projects.models import FundingProject, ProjectTarget
from app.projects.services import add_company
from app.regions.models import County, Municipality, TravelBuffer
from app.results.models import OutcomeResult
from app.results.services import (
    AreaVerdict,
    check_in,
    mark_no_shows,
    model_areas,
    record_outcomes,
    set_attendance,
)
from app.schedule.models import (
    AssessorAuthorisation,
    ModelFamily,
    ValidationModel,
    ValidationSession,
)
from app.timeutil import local_date, local_to_utc

PASSWORD = "demo1234"
ACCREDITED = (date(2023, 6, 1), date(2028, 12, 31))
# The regional project that migration 0102_reports made (its name is data: the demo
# finds it by name, else takes the first project).
NORTH = "Industrivalidering Norr"
SIGN_INS = {
    Role.PROJECT_ADMIN: "projektadmin@demo.example.se",
    Role.CENTER_ADMIN: "centeradmin@demo.example.se",
    Role.ASSESSOR: "testledare@demo.example.se",
    Role.COORDINATOR: "samordnare@demo.example.se",
    Role.EMPLOYEE: "deltagare@demo.example.se",
}

# Travel times between the centers' municipalities where the estimate from the distance
# is wrong: about the drive by road, with time to park and set up.
TRAVEL_MINUTES = {
    ("Luleå", "Boden"): 45,
    ("Luleå", "Piteå"): 60,
    ("Boden", "Piteå"): 60,
    ("Kiruna", "Gällivare"): 90,
    ("Lycksele", "Vilhelmina"): 90,
    ("Luleå", "Gällivare"): 180,
    ("Luleå", "Umeå"): 180,
    ("Umeå", "Vilhelmina"): 180,
    ("Luleå", "Kiruna"): 240,
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
# What each center says about getting in and around (shown on the sessions' pages).
ACCESSIBILITY = {
    "Komvux Luleå teknikcentrum": (
        "Entré utan trappsteg från parkeringen på baksidan. Hiss till teorisalen på plan 2. "
        "Hörslinga i teorisalen."
    ),
    "Industricentrum Piteå": (
        "Allt på ett plan. Två parkeringsplatser för rörelsehindrade vid huvudentrén."
    ),
    "Bodens yrkescentrum": (
        "Ramp vid huvudentrén. Teorisalen ligger på plan 1; hiss finns. Toalett anpassad "
        "för rullstol i entréplanet."
    ),
    "Kiruna gruv- och industriskola": (
        "Trappa upp till huvudentrén; ring på vid sidoentrén till vänster för entré utan "
        "trappsteg. Hiss till alla plan."
    ),
    "Gällivare teknikcollege": "Entré utan trappsteg. Teorisal och verkstad på entréplanet.",
    "Skellefteå industriskola": (
        "Entré utan trappsteg från Kanalgatan. Hiss. Hörslinga och höj- och sänkbara bord "
        "i teorisalen."
    ),
    "Umeå teknikcentrum": (
        "Parkering och entré utan trappsteg på gaveln mot Formvägen. Allt på ett plan."
    ),
    "Lycksele lärcentrum": "Hiss till plan 2. Anpassad toalett på plan 1.",
    "Vilhelmina utbildningscenter": (
        "Ramp vid entrén. Säg till om du behöver sitta nära dörren eller ta pauser."
    ),
}
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
# The second project, in Västernorrland (county 22) and Jämtland (23): its centers,
# testledare and companies, apart from the north's so that the north's data stays as
# it was. The project starts at the beginning of the month MITT_MONTHS_BACK months ago
# and runs two years.
MITT_MONTHS_BACK = 9
MITT_CENTERS = [
    (
        "Sundsvalls teknikcentrum",
        "Sundsvall",
        "Västra Radiogatan 7",
        "852 29",
        "Sundsvall",
        {"welding_booth": 6, "maintenance_station": 4},
    ),
    (
        "Östersunds yrkescentrum",
        "Östersund",
        "Prästgatan 50",
        "831 34",
        "Östersund",
        {"cnc_machine": 3, "automation_station": 4},
    ),
]
MITT_ACCESSIBILITY = {
    "Sundsvalls teknikcentrum": "Entré utan trappsteg. Hiss till teorisalen. Hörslinga.",
    "Östersunds yrkescentrum": (
        "Ramp vid huvudentrén mot Prästgatan. Verkstad och teorisal på entréplanet."
    ),
}
MITT_ASSESSORS = [
    (
        "Anders Sjödin",
        "anders.sjodin@demo.example.se",
        "Sundsvall",
        "industriteknik-bas underhall-bas svets-vit svets-gron",
    ),
    (
        "Lena Hallström",
        "lena.hallstrom@demo.example.se",
        "Östersund",
        "industriteknik-bas automation-bas cnc-teknik",
    ),
]
# name, municipality, industry
MITT_COMPANIES = [
    ("Sundsvalls Stålservice AB", "Sundsvall", "steel"),
    ("Timrå Smide och Plåt AB", "Timrå", "steel"),
    ("Sollefteå Valsverk AB", "Sollefteå", "steel"),
    ("Örnsköldsviks Mekaniska Verkstad AB", "Örnsköldsvik", "metal"),
    ("Härnösands Precision AB", "Härnösand", "metal"),
    ("Östersunds Svets AB", "Östersund", "metal"),
    ("Krokoms Legotillverkning AB", "Krokom", "metal"),
]
MITT_EMPLOYEES_PER_COMPANY = 8
# (county code, industry, companies, employees)
MITT_TARGETS = [("22", "steel", 6, 60), ("22", "metal", 5, 40), ("23", "metal", 4, 30)]
# Project admins limited to one project each (besides the unlimited one of SIGN_INS).
# e-mail: (name, which project: "Norr" the regional one, "Mitt" the second)
LIMITED_ADMINS = {
    "projektadmin.norr@demo.example.se": ("Nora Norrprojekt", "Norr"),
    "projektadmin.mitt@demo.example.se": ("Mikael Mittprojekt", "Mitt"),
}
START_TIMES = (time(8, 0), time(12, 30))
# The demo's history: sessions from this Monday until last week, none in the
# industrial holiday weeks of July.
HISTORY_FROM = date(2024, 9, 2)
SUMMER_WEEKS = range(27, 32)
# Of the companies of each county, this share takes part in the project at some
# point; of their employees, this share gets validated, starting at different times.
COMPANIES_TAKING_PART = 0.8
EMPLOYEES_TAKING_PART = 0.9
JOINING_DAYS = 800
# Nobody is validated more often than this in the demo's history.
MAX_VALIDATIONS = 6
TRAINING = [
    "Handledd träning i {area} på arbetsplatsen, 2–4 veckor, sedan nytt prov.",
    "Kurs i {area} (Komvux eller yrkeshögskola), därefter omvalidering.",
    "Genomgång av {area} med erfaren kollega och egen övning med instruktioner.",
]
COMMENTS = [
    "Bra genomfört.",
    "Stabil grund; se föreslagna åtgärder.",
    "Säker i praktiska moment, teorin kan stärkas.",
    "",
]


def seed_demo(now: datetime | None = None) -> list[str]:
    """Load the demo data unless it is there already; return what to tell the user."""
    now = now or utcnow()
    if find_by_email(SIGN_INS[Role.PROJECT_ADMIN]) is not None:
        return ["Demodata finns redan; inget lades till.", *_sign_in_lines()]
    rng = random.Random(2026)
    password_hash = hash_password(PASSWORD)
    with unit_of_work():
        centers = _centers()
        _travel_times()
        assessors = _assessors(centers, password_hash)
        companies = _companies(rng)
        coordinators, employees = _people(rng, companies, password_hash)
        _admins(centers, password_hash)
        sessions = _sessions(rng, centers, assessors, now)
        past = _past_sessions(random.Random(2024), centers, assessors, now)
    session_ids = [s.id for s in sessions]
    booked = _bookings(rng, session_ids, coordinators, employees, now)
    history = _history(
        random.Random(2025), [s.id for s in past], companies, coordinators, employees, now
    )
    with unit_of_work():
        interests = _interests(random.Random(2027), employees, now)
    mitt = _mitt(random.Random(2028), password_hash, now)
    return [
        f"Skapade {len(centers)} testcenter, {len(assessors)} testledare, "
        f"{len(companies)} företag, {len(employees)} deltagare, {len(session_ids)} kommande pass "
        f"och {booked} bokningar.",
        f"Historik sedan {HISTORY_FROM:%Y-%m-%d}: {len(past)} genomförda pass med "
        f"{history['booked']} bokningar, {history['attended']} närvarande, "
        f"{history['no_show']} uteblivna och {history['outcomes']} med resultat.",
        f"{interests} intresseanmälningar från Gällivare, Kiruna, Lycksele och Skellefteå.",
        f"Projektet {mitt['name']} i Västernorrland och Jämtland: {mitt['companies']} "
        f"deltagande företag, {mitt['sessions']} pass och {mitt['booked']} bokningar.",
        *_sign_in_lines(),
    ]


# Where the demo's interest comes from: places far from most centers, so planners see
# why a session there would fill. Per place: (model code or family code, people).
INTEREST_PLACES = {
    "Gällivare": [("industriteknik-bas", 3), ("svets", 2)],
    "Kiruna": [("underhall-bas", 2), ("svets", 1)],
    "Lycksele": [("industriteknik-bas", 2)],
    "Skellefteå": [("svets-bla", 2)],
}


def _interests(rng, employees, now) -> int:
    """A handful of live interests, as employees register them on Intresse (issue 18):
    from people whose place is the town (their company's, else their own choice)."""
    today = local_date(now)
    models = {m.code: m for m in db.session.scalars(select(ValidationModel))}
    families = {f.code: f for f in db.session.scalars(select(ModelFamily))}
    taken = set()
    made = 0
    for town, wanted in INTEREST_PLACES.items():
        place = _municipality(town)
        local = [
            e for e in employees[1:] if e.company.municipality_id == place.id and e.id not in taken
        ]
        others = [e for e in employees[1:] if e.id not in taken and e not in local]
        for code, count in wanted:
            for _index in range(count):
                if local:
                    person = local.pop(0)
                else:  # nobody's company is there: someone who travels from there
                    person = others.pop(rng.randrange(len(others)))
                    person.municipality = place
                taken.add(person.id)
                weeks = rng.choice((8, 12, 16))
                db.session.add(
                    Interest(
                        person=person,
                        model=models.get(code),
                        family=families.get(code) if code not in models else None,
                        municipality=place,
                        max_minutes=rng.choice((60, 120, 120, 180)),
                        from_date=today,
                        to_date=today + timedelta(weeks=weeks),
                        created_by=person,
                        created_at=now,
                    )
                )
                made += 1
    db.session.flush()
    return made


def _sign_in_lines() -> list[str]:
    labels = {
        Role.EMPLOYEE: "Deltagare",
        Role.COORDINATOR: "Företagets samordnare",
        Role.ASSESSOR: "Testledare",
        Role.CENTER_ADMIN: "Testcenteradministratör (Luleå)",
        Role.PROJECT_ADMIN: "Projektadministratör",
    }
    lines = [f"Logga in med lösenordet {PASSWORD}:"]
    lines += [f"  {labels[role]:<34} {SIGN_INS[role]}" for role in labels]
    lines += [
        f"  {f'Projektadministratör ({which})':<34} {email}"
        for email, (_name, which) in LIMITED_ADMINS.items()
    ]
    lines.append("Starta appen och öppna http://127.0.0.1:5000")
    return lines


def _municipality(name: str) -> Municipality:
    return db.session.scalar(select(Municipality).where(Municipality.name == name))


def _travel_times() -> None:
    for names, minutes in TRAVEL_MINUTES.items():
        low, high = sorted(_municipality(name).id for name in names)
        db.session.add(
            TravelBuffer(from_municipality_id=low, to_municipality_id=high, minutes=minutes)
        )


def _centers(rows=CENTERS, first=0, accessibility=ACCESSIBILITY) -> list[TestCenter]:
    kinds = {k.code: k for k in db.session.scalars(select(WorkstationKind))}
    centers = []
    for index, (name, town, street, postal, post_town, extra) in enumerate(rows, start=first):
        slug = town.lower().replace("å", "a").replace("ä", "a").replace("ö", "o")
        municipality = _municipality(town)
        center = TestCenter(
            name=name,
            municipality=municipality,
            street_address=street,
            postal_code=postal,
            postal_town=post_town,
            contact_name=f"Kontaktperson {town}",
            contact_email=f"testcenter.{slug}@demo.example.se",
            contact_phone=f"0{920 + index} - 10 00 0{index}",
            accredited_from=ACCREDITED[0],
            accredited_to=ACCREDITED[1],
            # Every demo center's postal town is its municipality's seat: GeoNames' point
            # (migration 0114_place), not a made-up street position.
            latitude=municipality.latitude,
            longitude=municipality.longitude,
            accessibility=accessibility[name],
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


def _assessors(centers, password_hash, rows=ASSESSORS) -> list[tuple[Person, str, set[str]]]:
    models = {m.code: m for m in db.session.scalars(select(ValidationModel))}
    result = []
    for name, email, town, codes in rows:
        person = new_person(name, email, roles=(Role.ASSESSOR,), password_hash=password_hash)
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
        companies.append(_company(rng, name, town, industry, 6110 + index))
    db.session.flush()
    return companies


def _company(rng: random.Random, name: str, town: str, industry: str, serial: int) -> Company:
    """A company in `town`, its organisationsnummer made from `serial` (unique per company)."""
    company = Company(
        name=name,
        org_number=with_check_digit(f"55{serial:04d}{rng.randint(100, 999)}"),
        municipality=_municipality(town),
        industry=industry,
    )
    db.session.add(company)
    return company


def _slug(text: str) -> str:
    table = str.maketrans("åäöéÅÄÖ ", "aaoeaao-")
    return "".join(c for c in text.lower().translate(table) if c.isalnum() or c == "-")


def _person(rng, company, role, password_hash, email=None, number=0) -> Person:
    """Someone of the company with a drawn name; by default mailed at the company's demo
    domain (samordnare@… for a coordinator, first.last.number@… for an employee)."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    if email is None:
        local = f"{_slug(first)}.{_slug(last)}.{number}"
        if role == Role.COORDINATOR:
            local = "samordnare"
        email = f"{local}@{_slug(company.name)}.example.se"
    person = new_person(
        f"{first} {last}", email, roles=(role,), company=company, password_hash=password_hash
    )
    db.session.add(person)
    return person


def _people(rng, companies, password_hash):
    coordinators, employees = {}, []
    for index, company in enumerate(companies):
        email = SIGN_INS[Role.COORDINATOR] if index == 0 else None
        coordinators[company.id] = _person(rng, company, Role.COORDINATOR, password_hash, email)
    for index in range(500):
        email = SIGN_INS[Role.EMPLOYEE] if index == 0 else None
        company = companies[index % len(companies)]
        employees.append(_person(rng, company, Role.EMPLOYEE, password_hash, email, index))
    db.session.flush()
    return coordinators, employees


def _admins(centers, password_hash) -> None:
    db.session.add(
        new_person(
            "Pia Projektledare",
            SIGN_INS[Role.PROJECT_ADMIN],
            roles=(Role.PROJECT_ADMIN,),
            password_hash=password_hash,
        )
    )
    for index, center in enumerate(centers):
        email = (
            SIGN_INS[Role.CENTER_ADMIN]
            if index == 0
            else f"admin.{_slug(center.postal_town)}@demo.example.se"
        )
        db.session.add(
            new_person(
                f"Administratör {center.postal_town}",
                email,
                roles=(Role.CENTER_ADMIN,),
                center=center,
                password_hash=password_hash,
            )
        )
    db.session.flush()


def _new_session(rng, center, day, models, assessors, busy) -> ValidationSession | None:
    """One session at the center that day under the planning rules, or None if none fits.

    The center must be open (no holiday, Sunday or closure: the same check as
    planning), the model's workstation kind must exist there, the session must end
    within opening hours, and the testledare must be authorised and free that day.
    Callers use a center at most once a day, so workstations are never shared.
    """
    if closed_reason(center, day, closures=[]):
        return None
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
        return None
    near = [p for p, town, _ in assessors if town == center.postal_town and p in able]
    assessor = near[0] if near else rng.choice(able)
    starts = [
        local_to_utc(day, clock)
        for clock in START_TIMES
        if not outside_opening_hours(
            center, local_to_utc(day, clock), local_to_utc(day, clock) + model.duration
        )
    ]
    if not starts:
        return None
    busy.add((assessor.id, day))
    starts_at = rng.choice(starts)
    session = ValidationSession(
        center=center,
        model=model,
        assessor=assessor,
        starts_at=starts_at,
        ends_at=starts_at + model.duration,
        seats=min(model.max_group_size, counts[model.workstation_kind.code]),
    )
    db.session.add(session)
    return session


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
            if session := _new_session(rng, center, day, models, assessors, busy):
                sessions.append(session)
    db.session.flush()
    _announce_planned(sessions, now)
    return sessions


def _announce_planned(sessions: list[ValidationSession], now: datetime) -> None:
    """Tell the features above that these coming sessions were planned, as planning
    does: each testledare gets the session's invite and calendar entry, so the first
    change they hear of is an update, and their feed has a Last-Modified."""
    for session in sessions:
        domain_events.announce(domain_events.session_created, session=session, actor=None, at=now)


def _past_sessions(rng, centers, assessors, now) -> list[ValidationSession]:
    """Three or four sessions a week from HISTORY_FROM to last week, none in July."""
    models = list(db.session.scalars(select(ValidationModel)))
    busy: set[tuple[int, date]] = set()
    sessions = []
    today = local_date(now)
    this_monday = today - timedelta(days=today.weekday())
    monday = HISTORY_FROM
    while monday < this_monday:
        if monday.isocalendar().week not in SUMMER_WEEKS:
            for _ in range(rng.choice((3, 3, 3, 4))):
                day = monday + timedelta(days=rng.randrange(5))
                center = rng.choice(centers)
                if any(s.center is center and s.local_date == day for s in sessions[-4:]):
                    continue
                if session := _new_session(rng, center, day, models, assessors, busy):
                    # Planned before its bookings opened, as a center would.
                    session.created_at = session.starts_at - timedelta(days=100)
                    sessions.append(session)
        monday += timedelta(weeks=1)
    db.session.flush()
    return sorted(sessions, key=lambda s: s.starts_at)


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


def _history(rng, session_ids, companies, coordinators, employees, now) -> dict[str, int]:
    """What happened at the past sessions, recorded through the real services.

    Each is booked as it would have been (book_seat with `now` before the session;
    notify queues no mail for sessions that are over), a few cancel and make room
    for the waitlist, then the testledare checks people in or records attendance
    afterwards, and records an outcome per competence area.

    Companies join the project at different times, and only some of their employees
    take part, so the dashboard's progress is partial; a session draws on the
    companies of its center's county, people with the fewest validations first.
    """
    counts = dict.fromkeys(("booked", "attended", "no_show", "outcomes", "demo_outcomes"), 0)
    if not session_ids:
        return counts
    demo_id = employees[0].id
    # Joining and starting dates spread over at most JOINING_DAYS, so that the
    # project's progress stays partial (not shrinking) however late the demo is made.
    span = min((local_date(now) - HISTORY_FROM).days, JOINING_DAYS)
    joined = {companies[0].id: HISTORY_FROM}  # the demo coordinator's company was first
    for company in companies[1:]:
        if rng.random() < COMPANIES_TAKING_PART:
            # Most joined in the project's first year; a few only lately.
            joined[company.id] = HISTORY_FROM + timedelta(days=int(span * rng.random() ** 2))
    county_of = {c.id: c.municipality.county_id for c in companies}
    _take_part(NORTH, [c for c in companies if c.id in joined])
    # Plain values read once: the ORM objects expire at every commit below.
    people = {p.id: p for p in employees}
    # county -> (employee id, the day they start taking part); people keep coming.
    takers: dict[int, list[tuple[int, date]]] = {}
    for person in employees:
        company_id = person.company_id
        if company_id not in joined:
            continue
        if person.id == demo_id:
            start = HISTORY_FROM
        elif rng.random() < EMPLOYEES_TAKING_PART:
            left = (HISTORY_FROM + timedelta(days=span) - joined[company_id]).days
            start = joined[company_id] + timedelta(days=int(left * rng.random() ** 1.5))
        else:
            continue
        takers.setdefault(county_of[company_id], []).append((person.id, start))
    center_county = {c.id: c.municipality.county_id for c in db.session.scalars(select(TestCenter))}
    done: dict[int, int] = {}  # validations per employee
    # (employee, model): every area approved, or tried twice already
    settled: set[tuple[int, int]] = set()
    tried: set[tuple[int, int]] = set()
    busy: set[tuple[int, date]] = set()
    areas_of: dict[int, list] = {}
    for index, session_id in enumerate(session_ids):
        # One transaction per session: each service call below joins it (nested units
        # of work do) and applies its rules as usual, but the demo commits once.
        with unit_of_work():
            session = db.session.get(ValidationSession, session_id)
            day, model_id = session.local_date, session.model_id
            pool = [
                person_id
                for person_id, start in takers.get(center_county[session.center_id], [])
                if start <= day
                and (person_id, day) not in busy
                and (person_id, model_id) not in settled
                and done.get(person_id, 0) < MAX_VALIDATIONS
            ]
            rng.shuffle(pool)
            pool.sort(key=lambda person_id: done.get(person_id, 0))
            if demo_id in pool and not done.get(demo_id):
                pool.remove(demo_id)
                pool.insert(0, demo_id)  # something for Mina bokningar to show
            chosen = [people[person_id] for person_id in pool[: _wanted(rng, session.seats)]]
            bookings = _book_past(rng, session, chosen, coordinators, demo_id, counts)
            for person_id in pool[: len(chosen)]:
                busy.add((person_id, day))
                done[person_id] = done.get(person_id, 0) + 1
                if (person_id, model_id) in tried:
                    settled.add((person_id, model_id))  # one retake at most
                tried.add((person_id, model_id))
            if model_id not in areas_of:
                areas_of[model_id] = [(a.id, a.name) for a in model_areas(model_id)]
            absent = _run_session(
                rng,
                session,
                bookings,
                areas_of[model_id],
                demo_id,
                now=now,
                leave_to_sweep=index % 3 == 0,
                counts=counts,
                settled=settled,
            )
            for person_id in absent:
                if rng.random() < 0.5:
                    done[person_id] = MAX_VALIDATIONS  # did not come, and did not book again
    # The cron job's sweep marks those not checked in that nobody recorded.
    counts["no_show"] += mark_no_shows(now=now)
    return counts


def _project(name: str) -> FundingProject:
    """The project of that name, else the first one (the regional project)."""
    return db.session.scalar(
        select(FundingProject).where(FundingProject.name == name)
    ) or db.session.scalar(select(FundingProject).order_by(FundingProject.id))


def _take_part(project_name: str, companies: list[Company]) -> None:
    """The companies of the project's counties and industries take part, added by the
    project admin through the service (so the audit log shows who added them)."""
    project = _project(project_name)
    scopes = {(t.county_id, t.industry) for t in project.targets}
    admin = find_by_email(SIGN_INS[Role.PROJECT_ADMIN])
    for company in companies:
        if (company.municipality.county_id, company.industry) in scopes:
            add_company(project.id, company.id, admin)


def _wanted(rng, seats: int) -> int:
    """How many ask for a seat: mostly half full or more, some full, a few hardly any."""
    share = rng.random()
    if share < 0.12:
        return rng.randint(1, max(1, seats * 2 // 5))
    if share < 0.25:
        return seats + rng.randint(1, 3)  # full, with a waitlist
    return rng.randint((seats + 1) // 2, seats)


def _book_past(rng, session, people, coordinators, demo_id, counts) -> list:
    """Book in the order people asked, weeks before; a few cancel in good time."""
    times = sorted(
        session.starts_at - timedelta(days=rng.randint(5, 80), minutes=rng.randint(0, 600))
        for _ in people
    )
    bookings = []
    for person, when in zip(people, times, strict=True):
        actor = coordinators[person.company_id] if rng.random() < 0.3 else person
        try:
            bookings.append(book_seat(session.id, person, actor, now=when))
            counts["booked"] += 1
        except DomainError:
            continue
    for booking in list(bookings):
        if booking.employee_id != demo_id and rng.random() < 0.04:
            cancel_booking(booking.id, booking.employee, now=session.starts_at - timedelta(days=3))
    return bookings


def _run_session(
    rng, session, bookings, areas, demo_id, now, leave_to_sweep, counts, settled
) -> list[int]:
    """The day itself: check-in or attendance afterwards, then outcomes per area.

    Answers who did not come.
    """
    assessor = session.assessor
    attended, absent = [], []
    recent = session.starts_at > now - timedelta(days=14)
    for booking in bookings:
        if booking.status != BookingStatus.CONFIRMED:
            continue  # cancelled, or still waiting when the session ran
        roll = 0.5 if booking.employee_id == demo_id else rng.random()
        if roll < 0.08:
            absent.append(booking.employee_id)
            if not leave_to_sweep:
                set_attendance(booking.id, BookingStatus.NO_SHOW, assessor, now=session.ends_at)
                counts["no_show"] += 1
            continue
        if roll < 0.14:  # not checked in on the day; recorded afterwards
            set_attendance(booking.id, BookingStatus.ATTENDED, assessor, now=session.ends_at)
        else:
            arrived = session.starts_at - timedelta(minutes=rng.randint(2, 45))
            check_in(booking.id, assessor, now=arrived)
        counts["attended"] += 1
        attended.append(booking)
    for booking in attended:
        if recent and booking.employee_id != demo_id and rng.random() < 0.4:
            continue  # the testledare has not got to it yet
        # The demo employee's first statement lists something still to do.
        first_of_demo = booking.employee_id == demo_id and counts["demo_outcomes"] == 0
        verdicts = _verdicts(rng, areas, force_gap=first_of_demo)
        counts["demo_outcomes"] += booking.employee_id == demo_id
        when = session.ends_at + timedelta(hours=rng.randint(1, 72))
        record_outcomes(booking.id, verdicts, rng.choice(COMMENTS), assessor, now=min(when, now))
        counts["outcomes"] += 1
        results = {v.result for v in verdicts}
        if results == {OutcomeResult.APPROVED} or (
            results == {OutcomeResult.NOT_YET} and rng.random() < 0.6
        ):
            settled.add((booking.employee_id, session.model_id))
    return absent


def _verdicts(rng, areas, force_gap=False) -> list[AreaVerdict]:
    """Most areas approved; some "not yet", with further training proposed.

    `areas` are the model's (id, name) pairs.
    """
    roll = rng.random()
    if roll < 0.07 and not force_gap:
        gaps = set(areas)  # nothing approved this time
    elif roll < 0.55 and not force_gap:
        gaps = set()
    else:
        gaps = set(rng.sample(areas, rng.randint(1, max(1, len(areas) // 4))))
    return [
        AreaVerdict(area_id, OutcomeResult.NOT_YET, rng.choice(TRAINING).format(area=name.lower()))
        if (area_id, name) in gaps
        else AreaVerdict(area_id, OutcomeResult.APPROVED)
        for area_id, name in areas
    ]


def _mitt(rng, password_hash, now) -> dict:
    """The second project: Västernorrland and Jämtland, with its own centers, testledare,
    companies taking part and their people, a history since the project began and some
    coming sessions with bookings; and the two project admins limited to one project."""
    today = local_date(now)
    first = today.replace(day=1)
    for _month in range(MITT_MONTHS_BACK):
        first = (first - timedelta(days=1)).replace(day=1)
    last = first.replace(year=first.year + 2) - timedelta(days=1)
    name = f"Validering Mitt {first.year}–{last.year}"
    counties = {c.code: c for c in db.session.scalars(select(County))}
    with unit_of_work():
        centers = _centers(MITT_CENTERS, len(CENTERS), MITT_ACCESSIBILITY)
        assessors = _assessors(centers, password_hash, MITT_ASSESSORS)
        project = FundingProject(
            name=name,
            starts_on=first,
            ends_on=last,
            targets=[
                ProjectTarget(
                    county_id=counties[code].id,
                    industry=industry,
                    companies=companies,
                    employees=employees,
                )
                for code, industry, companies, employees in MITT_TARGETS
            ],
        )
        db.session.add(project)
        companies, coordinators, employees = [], {}, []
        for index, (company_name, town, industry) in enumerate(MITT_COMPANIES):
            company = _company(rng, company_name, town, industry, 6210 + index)
            companies.append(company)
            coordinators[company] = _person(rng, company, Role.COORDINATOR, password_hash)
            for number in range(MITT_EMPLOYEES_PER_COMPANY):
                employees.append(_person(rng, company, Role.EMPLOYEE, password_hash, number=number))
        db.session.flush()
        north = _project(NORTH)
        for email, (admin_name, which) in LIMITED_ADMINS.items():
            admin = new_person(
                admin_name, email, roles=(Role.PROJECT_ADMIN,), password_hash=password_hash
            )
            for grant in admin.role_grants:
                grant.project_id = north.id if which == "Norr" else project.id
            db.session.add(admin)
        db.session.flush()
        coordinators = {c.id: person for c, person in coordinators.items()}
    _take_part(name, companies)
    counts = dict.fromkeys(("booked", "attended", "no_show", "outcomes", "demo_outcomes"), 0)
    sessions = _mitt_history(rng, centers, assessors, employees, coordinators, first, now, counts)
    models = list(db.session.scalars(select(ValidationModel)))
    busy: set[tuple[int, date]] = set()
    coming = []
    with unit_of_work():
        for week in range(1, 9):
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=week)
            for center, weekday in zip(centers, (1, 3), strict=True):
                day = monday + timedelta(days=weekday)
                if session := _new_session(rng, center, day, models, assessors, busy):
                    coming.append(session)
        db.session.flush()
        _announce_planned(coming, now)
        coming_ids = [s.id for s in coming]
    booked = 0
    for session_id in coming_ids:
        session = db.session.get(ValidationSession, session_id)
        for employee in rng.sample(employees, rng.randint(1, max(1, session.seats - 1))):
            try:
                book_seat(session_id, employee, employee, now=now)
                booked += 1
            except DomainError:
                continue
    mark_no_shows(now=now)
    return {
        "name": name,
        "companies": len(companies),
        "sessions": len(sessions) + len(coming_ids),
        "booked": counts["booked"] + booked,
    }


def _mitt_history(rng, centers, assessors, employees, coordinators, first, now, counts):
    """A session a week since the project began, at the two centers in turn, each drawing
    on the employees of its county who have been validated least."""
    models = list(db.session.scalars(select(ValidationModel)))
    busy: set[tuple[int, date]] = set()
    today = local_date(now)
    this_monday = today - timedelta(days=today.weekday())
    county_of = {e.id: e.company.municipality.county_id for e in employees}
    people = {e.id: e for e in employees}
    done: dict[int, int] = {}
    settled: set[tuple[int, int]] = set()
    session_ids = []
    with unit_of_work():
        monday = first - timedelta(days=first.weekday()) + timedelta(weeks=1)
        week = 0
        while monday < this_monday:
            if monday.isocalendar().week not in SUMMER_WEEKS:
                center = centers[week % len(centers)]
                day = monday + timedelta(days=1 + week % 3)
                if session := _new_session(rng, center, day, models, assessors, busy):
                    session.created_at = session.starts_at - timedelta(days=100)
                    session_ids.append(session)
                week += 1
            monday += timedelta(weeks=1)
        db.session.flush()
        session_ids = [s.id for s in session_ids]
    for session_id in session_ids:
        with unit_of_work():
            session = db.session.get(ValidationSession, session_id)
            county = session.center.municipality.county_id
            pool = [
                pid
                for pid in people
                if county_of[pid] == county and (pid, session.model_id) not in settled
            ]
            rng.shuffle(pool)
            pool.sort(key=lambda pid: done.get(pid, 0))
            chosen = [people[pid] for pid in pool[: _wanted(rng, session.seats)]]
            for person in chosen:
                done[person.id] = done.get(person.id, 0) + 1
            bookings = _book_past(rng, session, chosen, coordinators, -1, counts)
            areas = [(a.id, a.name) for a in model_areas(session.model_id)]
            _run_session(
                rng,
                session,
                bookings,
                areas,
                -1,
                now=now,
                leave_to_sweep=False,
                counts=counts,
                settled=settled,
            )
    return session_ids
