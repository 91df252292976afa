"""The kinds of problem an answer can report, each with a stable code.

A client tells "the session is full" from "the deadline has passed" by the code (and
by the problem's `type`, a URL built from it, where the kind is described), never by
the wording, which is translated. Codes are never renamed: add a new one instead.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class ProblemType:
    code: str
    status: int
    title: object  # lazy: read in the answer's language
    description: object


def _types(*rows) -> dict[str, ProblemType]:
    return {row[0]: ProblemType(*row) for row in rows}


PROBLEM_TYPES = _types(
    (
        "bad_request",
        400,
        _l("Felaktig begäran"),
        _l("Begäran kunde inte läsas: kroppen är inte JSON eller ett huvud är felskrivet."),
    ),
    (
        "unauthorized",
        401,
        _l("API-nyckel saknas eller är ogiltig"),
        _l("Skicka en giltig nyckel: Authorization: Bearer <nyckel>."),
    ),
    (
        "forbidden",
        403,
        _l("Åtkomst nekad"),
        _l("Nyckelns ägare får inte göra detta."),
    ),
    (
        "not_found",
        404,
        _l("Finns inte"),
        _l("Det finns inte, eller så får nyckelns ägare inte se det."),
    ),
    (
        "method_not_allowed",
        405,
        _l("Metoden stöds inte"),
        _l("Adressen finns men tar inte emot den metoden; huvudet Allow räknar upp dem som går."),
    ),
    (
        "conflict",
        409,
        _l("Konflikt"),
        _l("Det krockar med en regel eller en annan ändring."),
    ),
    (
        "session_cancelled",
        409,
        _l("Passet är inställt"),
        _l("Passet går inte att boka eller flytta till."),
    ),
    (
        "session_started",
        409,
        _l("Passet har börjat"),
        _l("Ett pass som har börjat kan inte bokas eller ändras."),
    ),
    (
        "booking_not_open",
        409,
        _l("Bokningen har inte öppnat"),
        _l("Passet kan bokas först ett visst antal dagar före start."),
    ),
    (
        "booking_closed",
        409,
        _l("Bokningen har stängt"),
        _l("Sista tiden att boka passet har passerat."),
    ),
    (
        "center_not_accredited",
        409,
        _l("Testcentret saknar ackreditering"),
        _l("Testcentrets ackreditering gäller inte passets datum."),
    ),
    (
        "assessor_not_authorised",
        409,
        _l("Testledaren saknar behörighet"),
        _l("Testledarens behörighet för valideringen gäller inte passets datum."),
    ),
    (
        "already_booked",
        409,
        _l("Redan bokad"),
        _l("Personen har redan en plats på passet."),
    ),
    (
        "time_clash",
        409,
        _l("Krockar med en annan bokning"),
        _l("Personen har redan en plats eller köplats på ett pass som pågår samtidigt."),
    ),
    (
        "already_waitlisted",
        409,
        _l("Redan i kö"),
        _l("Personen står redan i kö till passet."),
    ),
    (
        "session_full",
        409,
        _l("Passet är fullt"),
        _l("Passet har ingen ledig plats; en flytt dit lämnar bokningen som den var."),
    ),
    (
        "support_seats_full",
        409,
        _l("Inga fler platser med stödbehov"),
        _l("Passet tar inte emot fler deltagare med stödbehov."),
    ),
    (
        "deadline_passed",
        409,
        _l("Sista dag för ändring har passerat"),
        _l("Efter sista dagen kan bara testcentret avboka eller flytta."),
    ),
    (
        "already_cancelled",
        409,
        _l("Redan avbokad"),
        _l("Bokningen är redan avbokad eller flyttad."),
    ),
    (
        "attendance_recorded",
        409,
        _l("Närvaron är registrerad"),
        _l(
            "Personen är incheckad eller har markerats som närvarande eller utebliven: "
            "bokningen kan inte längre avbokas eller flyttas."
        ),
    ),
    (
        "already_moved",
        409,
        _l("Redan flyttad"),
        _l("Bokningen är redan flyttad till ett annat pass; svaret säger vilket."),
    ),
    (
        "same_session",
        409,
        _l("Samma pass"),
        _l("En flytt måste gå till ett annat pass än det bokningen har."),
    ),
    (
        "different_model",
        409,
        _l("Annan validering"),
        _l("En bokning kan bara flyttas till ett pass med samma validering."),
    ),
    (
        "employee_inactive",
        409,
        _l("Kan inte bokas"),
        _l("Bara deltagare med aktivt konto kan bokas."),
    ),
    (
        "concurrent_change",
        409,
        _l("Krockade med en annan ändring"),
        _l("En annan ändring hann före. Läs om och försök igen."),
    ),
    (
        "idempotency_key_in_use",
        409,
        _l("Nyckeln används just nu"),
        _l(
            "En begäran med samma Idempotency-Key pågår fortfarande. "
            "Vänta en stund och skicka samma begäran igen."
        ),
    ),
    (
        "interest_exists",
        409,
        _l("Intresse finns redan"),
        _l(
            "Personen har redan en intresseanmälan för valideringen som täcker någon av "
            "dagarna. Ta bort den först, eller välj en annan period."
        ),
    ),
    (
        "interest_period",
        409,
        _l("Perioden går inte"),
        _l(
            "En intresseanmälan börjar i dag eller senare, slutar inte före sin början och "
            "gäller högst ett år."
        ),
    ),
    (
        "interest_ended",
        404,
        _l("Intresseanmälan är avslutad"),
        _l(
            "Intresseanmälan har tagits bort, slutat när personen bokade eller gått ut. "
            "Listan visar den med end_reason."
        ),
    ),
    (
        "booking_cancelled",
        404,
        _l("Bokningen är avbokad"),
        _l(
            "Bokningen är avbokad eller flyttad. Listan över bokningar visar den "
            "med status cancelled."
        ),
    ),
    (
        "payload_too_large",
        413,
        _l("Begäran är för stor"),
        _l("Det som skickades är större än vad som tas emot."),
    ),
    (
        "unsupported_media_type",
        415,
        _l("Fel innehållstyp"),
        _l("Skicka JSON med Content-Type: application/json."),
    ),
    (
        "invalid_input",
        422,
        _l("Ogiltiga uppgifter"),
        _l("En parameter eller ett fält i kroppen följer inte beskrivningen; detail säger vilket."),
    ),
    (
        "invalid_cursor",
        422,
        _l("Ogiltig cursor"),
        _l("Använd cursor precis som den kom i länken next; den kan inte skrivas själv."),
    ),
    (
        "idempotency_key_mismatch",
        422,
        _l("Nyckeln användes för en annan begäran"),
        _l(
            "Samma Idempotency-Key skickades tidigare med en annan metod, adress eller kropp. "
            "Använd en ny nyckel för varje ny begäran."
        ),
    ),
    (
        "rate_limited",
        429,
        _l("För många anrop"),
        _l("Vänta en stund och försök igen."),
    ),
    (
        "server_error",
        500,
        _l("Serverfel"),
        _l("Något gick fel hos oss. Försök igen om en stund."),
    ),
)

# The code an answer has when nothing more specific was said.
CODE_FOR_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
    500: "server_error",
}


def code_for(status: int, code: str | None = None) -> str | None:
    """The code to report: the given one if it is known, else the status's own, if any."""
    if code in PROBLEM_TYPES:
        return code
    return CODE_FOR_STATUS.get(status)
