"""The dashboard: progress against the project's targets, utilisation and demand, CSV."""

import threading
from datetime import UTC, date, datetime, timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms.fields.choices import SelectChoice

from app.accounts.models import INDUSTRIES, Role
from app.bookings.interest import today as interest_today
from app.bookings.queries import interest_demand
from app.cache import TTLCache
from app.csv_out import csv_response
from app.errors import Forbidden, InvalidInput, NotFound
from app.formatting import number, percent
from app.projects import scope
from app.projects import services as project_services
from app.reports import services, tables
from app.reports.charts import line_chart
from app.reports.forms import (
    AddCompanyForm,
    DashboardFilter,
    NewTargetForm,
    ProjectForm,
    RemoveCompanyForm,
    RemoveTargetForm,
    TargetForm,
    dates_from_weeks,
)
from app.reports.queries import find_target
from app.timeutil import local_date

bp = Blueprint("reports", __name__, url_prefix="/reports")

# Utilisation shows by default the last twelve ISO weeks and the coming four.
WEEKS_BACK, WEEKS_AHEAD = 12, 4
# Tables only a project admin may read: they count the companies' people.
PROJECT_TABLES = ("targets", "models", "months", "projects")
CENTER_TABLES = ("utilisation", "hours", "low_sessions", "demand")
FILTERS = ("project", "from_date", "to_date", "below")
# Rows a long list shows on the page; its CSV has them all.
LIST_LIMIT = 100


def _center_scope() -> list[int] | None:
    """None for a project admin, else the centers one administers.

    A project admin reads the use of the chosen project's centers, those of its counties
    (services.project_centers): nationally a project's few dozen, not the country's 150.
    """
    if current_user.has_role(Role.PROJECT_ADMIN):
        return None
    ids = [g.center_id for g in current_user.role_grants if g.role == Role.CENTER_ADMIN]
    if not ids:
        abort(403)
    return ids


def _require_project_admin() -> None:
    if not current_user.has_role(Role.PROJECT_ADMIN):
        abort(403)


def _project(project_id: int | None):
    """The project asked for (None: the first the reader sees): 404 for one they may not."""
    _require_project_admin()
    return scope.visible_project(current_user, project_id)


def _filters(project_admin: bool):
    """The validated filter form and the ISO weeks it spans, or the form with errors."""
    this_monday = local_date(datetime.now(UTC))
    this_monday -= timedelta(days=this_monday.weekday())
    # Old links' ?from_week=2026-W09&to_week=... still work: read as those weeks' dates.
    args, week_errors = dates_from_weeks(request.args)
    form = DashboardFilter(
        args,
        from_date=this_monday - timedelta(weeks=WEEKS_BACK),
        to_date=this_monday + timedelta(weeks=WEEKS_AHEAD, days=6),
        below=50,
    )
    projects = scope.visible_projects(current_user) if project_admin else []
    form.project.choices = [(p.id, p.name) for p in projects]
    if project_admin and projects and "project" not in request.args:
        form.project.data = projects[0].id
    if not project_admin:
        del form.project
    valid = form.validate()
    if form.to_date.errors and "to_date" not in args and not form.from_date.errors:
        # Only a start given, after the default end: said at the start, the reader's date.
        form.from_date.errors, form.to_date.errors = form.to_date.errors, []
    for name, message in week_errors.items():
        form[name].errors = [message]
    if not valid or week_errors:
        return form, None
    try:
        mondays = services.week_range(_monday(form.from_date.data), _monday(form.to_date.data))
    except InvalidInput as error:
        # At the date the reader gave: with only a start, the end is the default one.
        given_to = "to_date" in args or "to_week" in request.args
        (form.to_date if given_to else form.from_date).errors = [error.message]
        return form, None
    return form, mondays


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@bp.get("/")
@login_required
def dashboard():
    """The dashboard; each worker caches the rendered figures for REPORTS_CACHE_SECONDS.

    Its aggregations read every booking of the project's period, so a worker renders
    them once per scope and filter and serves that copy for a while. Only the fragment
    is cached, never the page around it with the visitor's name and form tokens.

    The cache earns its keep (issue 20): `python -m bench.run --only dashboard` (and
    `--database postgresql`) serves the page with it and, on a second server, without
    it. At 100,000 bookings a view took 5 ms at p50 from the cache and 607 ms without
    it on SQLite, 15 and 482 ms on PostgreSQL (one connection, the 2-core machine at
    load average 8-11). Without the cache every view would wait longer than the 0.1 s
    that feels instant; remove it once "dashboard, uncached" passes its target.
    """
    center_ids = _center_scope()
    seconds = current_app.config["REPORTS_CACHE_SECONDS"]
    if seconds <= 0:
        fragment, status = _render_dashboard(center_ids)
        return render_template(
            "reports/dashboard.html", dashboard=fragment, demand=_demand()
        ), status
    key = (
        str(get_locale()),
        tuple(center_ids) if center_ids is not None else None,
        # A project admin limited to named projects is offered only those.
        tuple(sorted(current_user.admin_project_ids or ())) if center_ids is None else None,
        tuple(sorted(request.args.items(multi=True))),
        # Targets and periods saved through any worker show at once; only the
        # counted figures may be up to REPORTS_CACHE_SECONDS old.
        services.settings_version() if center_ids is None else None,
    )
    cache, status = _cache(), 200
    fragment = cache.get(key, seconds)
    if fragment is None:
        # One render at a time per worker: threads that asked for the same figures
        # meanwhile take the copy it leaves instead of running the same queries again.
        with current_app.extensions.setdefault("reports_render_lock", threading.Lock()):
            fragment = cache.get(key, seconds)
            if fragment is None:
                fragment, status = _render_dashboard(center_ids)
                if status == 200:
                    cache.put(key, fragment)
    return render_template("reports/dashboard.html", dashboard=fragment, demand=_demand()), status


def _demand():
    """Interest without a fitting session, per municipality and model, where the reader
    plans: never cached, one query."""
    return interest_demand(interest_today(), county_ids=_demand_counties())


def _demand_counties() -> list[int] | None:
    """A project admin's projects' counties (None: an admin of every project, any
    county), a center admin's centers' counties. Few people, but still outside the
    scope of an admin limited to other counties."""
    center_ids = _center_scope()
    if center_ids is not None:
        return services.center_counties(center_ids)
    if current_user.admin_project_ids is None:
        return None
    projects = scope.visible_projects(current_user)
    return sorted({t.county_id for p in projects for t in p.targets})


def _cache() -> TTLCache:
    return current_app.extensions.setdefault("reports_cache", TTLCache(size=64))


def _render_dashboard(center_ids: list[int] | None) -> tuple[Markup, int]:
    project_admin = center_ids is None
    form, mondays = _filters(project_admin)
    if mondays is None:
        return _fragment(form, None), 400
    if project_admin:
        project = _project(form.project.data)
        center_ids = services.project_centers(project)
    now = datetime.now(UTC)
    figures = {
        "mondays": mondays,
        "utilisation": services.utilisation(mondays, center_ids),
        # The page shows the first LIST_LIMIT; the CSV file has them all.
        "low_sessions": services.low_sessions(
            mondays, form.below.data, center_ids, now=now, limit=LIST_LIMIT
        ),
        "low_session_count": services.low_session_count(
            mondays, form.below.data, center_ids, now=now
        ),
        "demand": services.demand(mondays, center_ids),
    }
    if project_admin:
        reach = services.project_reach(project)
        figures |= {
            "project": project,
            "counties": services.counties(),
            "progress": reach.targets,
            "models": reach.models,
        }
        visible = scope.visible_projects(current_user)
        if len(visible) > 1:
            figures["comparison"] = services.compare(visible, known={project.id: reach})
        figures["charts"] = []
        for row in reach.targets:
            points = reach.months[row.target.id]
            chart = (
                line_chart(points, services.STAGES, row.target.employees, _month_label)
                if points
                else None
            )
            figures["charts"].append((row, points, chart))
    return _fragment(form, figures), 200


def _month_label(month) -> str:
    """'apr. 2024' in Swedish, 'Apr 2024' in English."""
    return format_date(month, "LLL yyyy")


def _decimal(value: float) -> str:
    return number(value, 1)


def _percent(share: float | None) -> str:
    return "" if share is None else percent(share)


def _filter_args(form) -> dict:
    """The filters for the CSV links, as dates (an old link's weeks too)."""
    args = {k: v for k, v in request.args.items() if k in FILTERS}
    for name in ("from_date", "to_date"):
        if not form[name].errors and form[name].data:
            args[name] = form[name].data.isoformat()
    return args


def _fragment(form, figures) -> Markup:
    return Markup(
        render_template(
            "reports/_dashboard.html",
            form=form,
            figures=figures,
            filter_args=_filter_args(form),
            timedelta_week=timedelta(days=6),  # a Monday to its Sunday
            list_limit=LIST_LIMIT,
            industry_label=tables.industry_label,
            # The page's numbers in the reader's language; the CSV files keep their own.
            decimal=_decimal,
            percent=_percent,
            heat_cells=_heat_cells,
        )
    )


def _heat_cells(row: services.CenterWeeks, mondays: list[date], seats_word: str) -> Markup:
    """A heatmap row's cells, one per week, as one piece of HTML.

    The heatmap has a cell per center and week (3,400 at 100,000 bookings): written
    through Jinja, each of a cell's five values was escaped on its own. Written here,
    an uncached dashboard's median render on the 100,000-booking PostgreSQL set went
    from 433 to 366 ms. Only the translated word is text; the rest are numbers.
    """
    word = escape(seats_word)
    return Markup(
        "".join(
            f'<td class="heat-{c.level}" title="{c.booked}/{c.offered} {word}">{c.percent}</td>'
            if c
            else '<td class="heat-none"></td>'
            for c in row.cells(mondays)
        )
    )


@bp.get("/<name>.csv")
@login_required
def export(name: str):
    if name not in PROJECT_TABLES + CENTER_TABLES:
        abort(404)
    center_ids = _center_scope()
    if name in PROJECT_TABLES:
        _require_project_admin()
    form, mondays = _filters(center_ids is None)
    if mondays is None:
        raise InvalidInput(" ".join(str(e) for errors in form.errors.values() for e in errors))
    if name in PROJECT_TABLES:
        header, rows = _project_table(name, form)
    else:
        if center_ids is None:  # a project admin: the chosen project's centers
            center_ids = services.project_centers(_project(form.project.data))
        header, rows = _center_table(name, form, mondays, center_ids)
    return csv_response(f"{name}.csv", header, rows)


def _project_table(name: str, form) -> tuple[list, list]:
    if name == "projects":
        return tables.projects_table(services.compare(scope.visible_projects(current_user)))
    project = _project(form.project.data)
    reach = services.project_reach(project)
    counties = services.counties()
    if name == "targets":
        return tables.targets_table(reach.targets, counties)
    if name == "models":
        return tables.models_table(reach.models)
    series = [(t, reach.months[t.id]) for t in project.targets]
    return tables.months_table(series, counties)


def _center_table(name: str, form, mondays: list[date], center_ids: list[int]):
    if name == "utilisation":
        return tables.utilisation_table(services.utilisation(mondays, center_ids), mondays)
    if name == "hours":
        return tables.hours_table(services.utilisation(mondays, center_ids))
    if name == "low_sessions":
        low = services.low_sessions(mondays, form.below.data, center_ids)
        return tables.low_sessions_table(low)
    return tables.demand_table(services.demand(mondays, center_ids))


def _new_target_form(project) -> NewTargetForm:
    """A limited admin is offered only the project's own counties (services.add_target)."""
    form = NewTargetForm(prefix="new")
    form.county.choices = [(c.id, c.name) for c in services.target_counties(current_user, project)]
    form.industry.choices = [(code, tables.industry_label(code)) for code in INDUSTRIES]
    return form


def _add_company_form(project_id: int) -> AddCompanyForm:
    """Companies not taking part yet, grouped by county."""
    form = AddCompanyForm(prefix="join")
    form.company.choices = [
        SelectChoice(c.id, f"{c.name} ({c.municipality.name})", optgroup=c.municipality.county.name)
        for c in project_services.candidates(project_id)
    ]
    return form


def _settings_page(
    project,
    project_form=None,
    failed_target=None,
    new_target_form=None,
    status=200,
    add_company_form=None,
):
    """The project's form and one form per target; failed_target: (id, form with errors).

    Then the companies taking part, each with a remove button, and the forms to add one
    or every company of the project's counties and industries."""
    failed_id, failed_form = failed_target or (None, None)
    target_forms = [
        (
            target,
            failed_form
            if target.id == failed_id
            else TargetForm(obj=target, prefix=f"target{target.id}"),
        )
        for target in project.targets
    ]
    return (
        render_template(
            "reports/targets.html",
            project=project,
            project_form=project_form or ProjectForm(obj=project),
            target_forms=target_forms,
            new_target_form=new_target_form or _new_target_form(project),
            remove_form=RemoveTargetForm(),
            participants=project_services.participants(project.id),
            add_company_form=add_company_form or _add_company_form(project.id),
            company_form=RemoveCompanyForm(),
            counties=services.counties(),
            industry_label=tables.industry_label,
        ),
        status,
    )


@bp.route("/projects/new", methods=["GET", "POST"])
@login_required
def new_project():
    # A new project is named by no limited admin's grant: it is for an admin of every project.
    if not current_user.sees_every_project:
        abort(403)
    form = ProjectForm()
    status = 200
    if form.validate_on_submit():
        try:
            project = services.create_project(
                form.name.data.strip(), form.starts_on.data, form.ends_on.data
            )
        except InvalidInput as error:
            form.name.errors = [error.message]
        else:
            _cache().clear()
            flash(_("Projektet är skapat. Lägg till dess mål."), "success")
            return redirect(url_for("reports.project_settings", project_id=project.id))
    if form.is_submitted():
        status = 400
    return render_template("reports/new_project.html", form=form), status


@bp.route("/projects/<int:project_id>", methods=["GET", "POST"])
@login_required
def project_settings(project_id: int):
    project = _project(project_id)
    form = ProjectForm(obj=project)
    if request.method == "GET":
        return _settings_page(project, form)
    if form.validate_on_submit():
        try:
            services.update_project(
                project.id, form.name.data.strip(), form.starts_on.data, form.ends_on.data
            )
        except InvalidInput as error:
            form.name.errors = [error.message]
        else:
            _cache().clear()
            flash(_("Projektet är sparat."), "success")
            return redirect(url_for("reports.project_settings", project_id=project_id))
    return _settings_page(_project(project_id), form, status=400)


def _target(project_id: int, target_id: int):
    """The project (if the reader may see it) and its target. The project is in the form's
    address: a form left open while its target went, its id since reused for another
    project's target (SQLite reuses ids), finds no target rather than that one."""
    project = _project(project_id)
    target = find_target(project.id, target_id)
    if target is None:
        raise NotFound(_("Målet finns inte."))
    return project, target


@bp.post("/projects/<int:project_id>/targets/<int:target_id>")
@login_required
def target_settings(project_id: int, target_id: int):
    project, target = _target(project_id, target_id)
    form = TargetForm(prefix=f"target{target.id}")
    if form.validate_on_submit():
        services.update_target(project.id, target.id, form.companies.data, form.employees.data)
        _cache().clear()
        flash(_("Målet är sparat."), "success")
        return redirect(url_for("reports.project_settings", project_id=project.id))
    county = services.counties()[target.county_id].name
    form.error_scope = f"{county}, {tables.industry_label(target.industry)}"
    return _settings_page(project, failed_target=(target.id, form), status=400)


@bp.post("/projects/<int:project_id>/targets")
@login_required
def add_target(project_id: int):
    project = _project(project_id)
    form = _new_target_form(project)
    status = 400
    if form.validate_on_submit():
        try:
            services.add_target(
                project.id,
                form.county.data,
                form.industry.data,
                form.companies.data,
                form.employees.data,
                current_user,
            )
        except (InvalidInput, Forbidden) as error:
            form.county.errors = [error.message]
            status = error.status_code
        else:
            _cache().clear()
            flash(_("Målet är tillagt."), "success")
            return redirect(url_for("reports.project_settings", project_id=project_id))
    return _settings_page(project, new_target_form=form, status=status)


@bp.post("/projects/<int:project_id>/targets/<int:target_id>/remove")
@login_required
def remove_target(project_id: int, target_id: int):
    project, target = _target(project_id, target_id)
    if not RemoveTargetForm().validate_on_submit():
        abort(400)
    services.remove_target(project.id, target.id)
    _cache().clear()
    flash(_("Målet är borttaget."), "success")
    return redirect(url_for("reports.project_settings", project_id=project.id))


def _to_companies(project_id: int):
    return redirect(url_for("reports.project_settings", project_id=project_id, _anchor="companies"))


@bp.post("/projects/<int:project_id>/companies")
@login_required
def add_company(project_id: int):
    project = _project(project_id)
    form = _add_company_form(project.id)
    if form.validate_on_submit():
        try:
            added = project_services.add_company(project.id, form.company.data, current_user)
        except InvalidInput as error:
            form.company.errors = [error.message]
        else:
            _cache().clear()
            if added:
                flash(_("Företaget deltar nu i projektet."), "success")
            else:
                flash(_("Företaget deltog redan i projektet."), "info")
            return _to_companies(project.id)
    return _settings_page(project, add_company_form=form, status=400)


@bp.post("/projects/<int:project_id>/companies/remove")
@login_required
def remove_company(project_id: int):
    project = _project(project_id)
    form = RemoveCompanyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        removed = project_services.remove_company(project.id, form.company.data, current_user)
    except InvalidInput as error:
        flash(error.message, "error")
        return _settings_page(project, status=400)
    _cache().clear()
    if removed:
        flash(
            _(
                "Företaget deltar inte längre i projektet. "
                "Dess bokningar räknas inte för projektet."
            ),
            "success",
        )
    else:
        flash(_("Företaget deltog inte i projektet."), "info")
    return _to_companies(project.id)


@bp.post("/projects/<int:project_id>/companies/in-scope")
@login_required
def add_companies_in_scope(project_id: int):
    project = _project(project_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    added = project_services.add_companies_in_scope(project.id, current_user)
    _cache().clear()
    flash(
        ngettext(
            "%(num)s företag deltar nu i projektet.",
            "%(num)s företag deltar nu i projektet.",
            added,
        )
        if added
        else _("Alla företag i projektets län och branscher deltog redan."),
        "success",
    )
    return _to_companies(project.id)
