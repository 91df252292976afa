"""The dashboard's tables as header and rows, and their CSV form for Excel.

Excel in Swedish reads a CSV right when it starts with a byte-order mark, its fields
are separated by semicolons and its decimals are written with a comma.
"""

from flask_babel import gettext as _
from flask_babel import pgettext

from app.reports.forms import week_text
from app.timeutil import to_local


def industry_label(code: str) -> str:
    return {"steel": _("Stål"), "metal": _("Metall"), "other": _("Övrig industri")}.get(code, code)


def percent(share: float | None) -> str:
    return "" if share is None else f"{100 * share:.1f}".replace(".", ",")


def decimal(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _companies() -> str:
    """Companies counted ("Companies: with a booking", beside "Employees: …"), not a
    company's name column ("Company")."""
    return pgettext("plural", "Företag")


def _stage_headers(kind: str) -> list[str]:
    return [
        _("%(kind)s med bokning", kind=kind),
        _("%(kind)s som genomfört", kind=kind),
        _("%(kind)s med godkänt", kind=kind),
    ]


def _stages(counts: dict[str, int]) -> list[int]:
    return [counts["booked"], counts["attended"], counts["passed"]]


def targets_table(progress, counties):
    header = [_("Län"), _("Bransch"), _("Mål företag"), *_stage_headers(_companies())]
    header += [_("Mål anställda"), *_stage_headers(_("Anställda"))]
    rows = [
        [
            counties[p.target.county_id].name,
            industry_label(p.target.industry),
            p.target.companies,
            *_stages(p.reach.companies),
            p.target.employees,
            *_stages(p.reach.employees),
        ]
        for p in progress
    ]
    return header, rows


def models_table(per_model):
    header = [_("Valideringsmodell"), *_stage_headers(_companies())]
    header += _stage_headers(_("Anställda"))
    rows = [
        [m.model.name, *_stages(m.reach.companies), *_stages(m.reach.employees)] for m in per_model
    ]
    return header, rows


def months_table(series, counties):
    """series: (target, [MonthPoint]) pairs."""
    header = [_("Län"), _("Bransch"), _("Månad"), _("Mål anställda")]
    header += _stage_headers(_("Anställda, hittills"))
    rows = [
        [
            counties[target.county_id].name,
            industry_label(target.industry),
            point.month.strftime("%Y-%m"),
            target.employees,
            *_stages(point.employees),
        ]
        for target, points in series
        for point in points
    ]
    return header, rows


def utilisation_table(per_center, mondays):
    header = [_("Testcenter"), _("Vecka"), _("Platser erbjudna"), _("Platser bokade")]
    header.append(_("Beläggning (%)"))
    rows = []
    for row in per_center:
        for monday in mondays:
            offered, booked = row.weeks.get(monday, (0, 0))
            rows.append(
                [row.center.name, week_text(monday), offered, booked, percent(row.share(monday))]
            )
    return header, rows


def hours_table(per_center):
    header = [_("Testcenter"), _("Arbetsplatstimmar erbjudna")]
    header += [_("Arbetsplatstimmar bokade"), _("Arbetsplatstimmar använda")]
    rows = [
        [r.center.name, decimal(r.hours_offered), decimal(r.hours_booked), decimal(r.hours_used)]
        for r in per_center
    ]
    return header, rows


def low_sessions_table(sessions):
    header = [_("Testcenter"), _("Valideringsmodell"), _("Start"), _("Platser")]
    header += [_("Bokade"), _("Närvarande"), _("Beläggning (%)")]
    rows = [
        [
            low.session.center.name,
            low.session.model.name,
            to_local(low.session.starts_at).strftime("%Y-%m-%d %H:%M"),
            low.session.seats,
            low.session.seats_taken,
            low.attended,
            percent(low.share),
        ]
        for low in sessions
    ]
    return header, rows


def demand_table(rows_in):
    header = [_("Testcenter"), _("Valideringsmodell"), _("Närvarande"), _("Uteblev")]
    header += [_("Andel uteblivna (%)"), _("I kö till kommande pass")]
    rows = [
        [
            r.center.name,
            r.model.name,
            r.attended,
            r.no_shows,
            percent(r.no_show_rate),
            r.waitlisted,
        ]
        for r in rows_in
    ]
    return header, rows


def projects_table(summaries):
    """The projects side by side: one row each, with their totals against their targets."""
    header = [
        _("Projekt"),
        _("Första dag"),
        _("Sista dag"),
        _("Län"),
        _("Deltagande företag"),
        _("Mål företag"),
        *_stage_headers(_companies()),
        _("Mål anställda"),
        *_stage_headers(_("Anställda")),
    ]
    rows = [
        [
            s.project.name,
            s.project.starts_on.isoformat(),
            s.project.ends_on.isoformat(),
            ", ".join(c.name for c in s.counties),
            s.companies_taking_part,
            s.company_target,
            *_stages(s.reach.companies),
            s.employee_target,
            *_stages(s.reach.employees),
        ]
        for s in summaries
    ]
    return header, rows
