"""Run the benchmark: `python -m bench.run [--quick] [--database postgresql] ...`.

It builds one fresh database per data-set size (or, with `--dataset national`, the one
national set) and serves each under gunicorn on
loopback, beside the two baselines (Flask hello world, a raw sqlite3 booking) with
the same gunicorn settings. Then, scenario by scenario: the scenario's baseline is
measured, then the scenario at every size under the same load (the ratio to the
baseline takes most of the machine's speed and load out of the figure), then
one-connection latency rounds in which the sizes take turns (the growth table).
See docs/benchmark.md."""

import argparse
import contextlib
import dataclasses
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import urllib.parse
from dataclasses import asdict, dataclass, field

from bench import scenarios as sc
from bench.baselines import create_raw_database
from bench.dataset import NORTHERN_COUNTIES, DataSet, build, national, standard
from bench.load import Request, Result, run_wrk, wrk_available
from bench.radicale import Radicale
from bench.server import Server, ServerSettings
from bench.stack_floor import create_stack_database

SECRET = "bench-secret-key-not-for-production"
DEFAULT_SIZES = "10000,100000"
QUICK_SIZES = "1000,10000"
MEMORY_TARGET_MB = 150
GROWTH_TARGET = 1.5
FEED_TARGET = 5.0


@dataclass
class Row:
    """One scenario measured (or skipped) at one size."""

    name: str
    result: Result | None = None
    baseline: str | None = None
    baseline_rps: float | None = None  # the baseline: mean of runs just before and after
    target: float | None = None
    # A burst's target: every booker answered within this many seconds (issue 20).
    slowest_within_s: float | None = None
    growth: bool = False
    latency_p50_ms: list[float] = field(default_factory=list)  # one connection, per round
    anchor_p50_ms: list[float] = field(default_factory=list)  # its baseline's, taking turns
    p50_target_ms: float | None = None  # highest acceptable one-connection p50
    skip: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if self.result is None or not self.baseline_rps:
            return None
        return self.result.rps / self.baseline_rps

    @property
    def verdict(self) -> str:
        if self.skip:
            return "SKIP"
        if self.slowest_within_s is not None and self.result is not None:
            return "PASS" if self.result.max_ms <= self.slowest_within_s * 1000 else "FAIL"
        if self.target is None or self.ratio is None:
            return ""
        return "PASS" if self.ratio >= self.target else "FAIL"

    def line(self, label: str | None = None) -> str:
        name = label or self.name
        if self.skip:
            return f"   {name:<38} SKIP: {self.skip}"
        r = self.result
        base = f"{self.baseline_rps:,.0f}" if self.baseline_rps else ""
        ratio = f"{self.ratio:.2f}× {self.baseline}" if self.ratio is not None else ""
        target = f"≥{self.target:.2f}" if self.target is not None else ""
        if self.slowest_within_s is not None:
            ratio = f"max {r.max_ms / 1000:.1f} s"
            target = f"≤{self.slowest_within_s:g} s"
        text = (
            f"   {name:<38} {r.rps:>7,.0f} {r.p50_ms:>8.1f} {r.p95_ms:>8.1f} {r.p99_ms:>8.1f}"
            f" {base:>8} {ratio:>12} {target:>6} {self.verdict}"
        ).rstrip()
        return "\n".join([text, *(f"   {'':<38} {note}" for note in self.notes)])


HEADER = (
    f"   {'scenario':<38} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    f" {'baseline':>8} {'ratio':>12} {'target':>6}"
)


@dataclass
class Block:
    """Everything measured at one size."""

    size: int
    database: str
    counts: dict
    load_seconds: float
    name: str = ""  # "10,000" or "national": after a scenario's name (@...)
    label: str = ""  # what the set holds, in a sentence's start
    rows: list[Row] = field(default_factory=list)
    seat_checks: list[str] = field(default_factory=list)
    seats_ok: bool = True
    peak_rss_mb: dict = field(default_factory=dict)
    uploads: str = ""  # the uploads made before the peak memory was read

    def row(self, name: str) -> Row | None:
        return next((r for r in self.rows if r.name == name), None)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a server where the benchmark may create and drop its own databases",
    )
    parser.add_argument("--sizes", help=f"bookings per data set (default {DEFAULT_SIZES})")
    parser.add_argument(
        "--dataset",
        choices=("standard", "national"),
        default="standard",
        help="standard: one set per --sizes in the two northern counties; national: one set, "
        "290 municipalities, 150 centers, 30,000 bookings over 10 years (--sizes ignored)",
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--duration", type=float, help="seconds per scenario (default 5)")
    parser.add_argument("--burst-bookers", type=int, default=500)
    parser.add_argument("--burst-connections", type=int, default=200)
    parser.add_argument("--burst-seats", type=int, default=5)
    parser.add_argument(
        "--quick", action="store_true", help=f"sizes {QUICK_SIZES}, 2 s per scenario"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="latency rounds per size for the growth (3)"
    )
    parser.add_argument("--only", help="run only the scenarios whose name contains this")
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args(argv)
    sizes = args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    args.sizes = [int(s.replace("_", "")) for s in sizes.split(",")]
    args.duration = args.duration or (2.0 if args.quick else 5.0)
    return args


@contextlib.contextmanager
def database(args, size: int | str, folder: str):
    """A new, empty database for one size (or the bare stack), dropped afterwards:
    (app URL, DATABASE_URL)."""
    if args.database == "sqlite":
        path = os.path.join(folder, f"bench-{size}.sqlite")
        yield f"sqlite:///{path}", f"sqlite:///{path}"
        return
    import psycopg

    name = f"tcb_bench_{size}_{os.getpid()}"
    admin = args.postgres_url
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    base = admin.rsplit("/", 1)[0]
    try:
        yield (
            base.replace("postgresql://", "postgresql+psycopg://", 1) + f"/{name}",
            f"{base}/{name}",
        )
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@dataclass
class Target:
    """One size under test: its data, an in-process app to prepare requests, its server."""

    data: DataSet
    app: object
    server: Server
    block: Block
    env: dict = field(default_factory=dict)  # the server's environment
    scenarios: list = field(default_factory=list)


def _run(url: str, scenario: sc.Scenario, duration: float, connections: int, once=False):
    """One wrk run; distinct bookings it may have sent are not sent again."""
    result = run_wrk(url, scenario.requests, duration, connections, once=once)
    if scenario.requests[0].method == "POST":
        # Answered, plus those in flight when wrk stopped (the server may have booked them).
        scenario.requests = scenario.requests[result.requests + connections :]
    return result


def _baseline_requests(name: str, people: list[tuple[str, str]]) -> list[Request]:
    if name == "hello":
        return [Request("GET", "/", {"User-Agent": sc.USER_AGENT})]
    if name == "stack booking":
        return _stack_requests(people)
    if name == "stack page":
        # A signed-in page on the bare stack, for each of its signed-in people.
        return [
            Request("GET", "/page", {"Cookie": f"session={cookie}", "User-Agent": sc.USER_AGENT})
            for cookie, _token in people
        ]
    return [
        Request(
            "POST",
            f"/sessions/{1 + k % 50}/book",
            {"Content-Type": sc.FORM, "User-Agent": sc.USER_AGENT},
            f"employee_id={k}",
        )
        for k in range(sc.MAX_LINES)
    ]


STACK_FLOOR = "booking on the bare stack (no rules)"


def _stack_requests(people: list[tuple[str, str]]) -> list[Request]:
    """Bookings by the bare stack's signed-in people: (cookie, CSRF token) each."""
    return [
        Request(
            "POST",
            f"/sessions/{1 + k % 47}/book",  # 47 and 50 people: coprime, pairs vary
            {
                "Cookie": f"session={people[k % len(people)][0]}",
                "Content-Type": sc.FORM,
                "User-Agent": sc.USER_AGENT,
            },
            f"csrf_token={people[k % len(people)][1]}",
        )
        for k in range(sc.MAX_LINES)
    ]


def measure_stack_floor(targets: list[Target], servers, args, people) -> None:
    """The raw booking on the project's libraries, against the raw booking around it.

    Not a target: it tells how much of the booking target the stack alone leaves.
    The data does not matter to it, so it is measured once and shown at every size.
    """
    before = _baseline_rps(servers, "raw", args)
    requests = _stack_requests(people)
    run_wrk(servers["stack"].url, requests[:500], 1, args.connections)
    stack = run_wrk(servers["stack"].url, requests[500:], args.duration, args.connections)
    raw_rps = (before + _baseline_rps(servers, "raw", args)) / 2
    unexpected = {k: v for k, v in stack.statuses.items() if k != "302"}
    for target in targets:
        row = Row(STACK_FLOOR, stack, "raw", raw_rps)
        if unexpected:
            row.notes.append(f"note: answers other than 302: {unexpected}")
        target.block.rows.append(row)
        print(row.line(f"{row.name} @{target.block.name}"), flush=True)


def _baseline_rps(servers, name: str, args) -> float:
    url = servers[name].url
    if name == "radicale":
        requests = servers[name].requests(sc.USER_AGENT)
    else:
        requests = _baseline_requests(name, servers["stack"].signed_in)
    run_wrk(url, requests, 1, args.connections)
    return run_wrk(url, requests, max(1, args.duration / 2), args.connections).rps


def _booked(target: Target, scenario: sc.Scenario) -> int | None:
    if scenario.requests[0].method != "POST":
        return None
    fixtures = target.data.fixtures
    web = "web" in scenario.name
    if scenario.once:
        ids = [fixtures.web_burst if web else fixtures.api_burst]
    else:
        ids = fixtures.web_sessions if web else fixtures.api_sessions
    return sc.bookings_in(target.app, ids)


def _check(target: Target, scenario: sc.Scenario, row: Row, before: int | None) -> None:
    unexpected = {k: v for k, v in row.result.statuses.items() if k != str(scenario.expect)}
    if unexpected:
        row.notes.append(f"note: answers other than {scenario.expect}: {unexpected}")
    if row.result.socket_errors:
        row.notes.append(f"note: socket errors: {row.result.errors}")
    if before is not None:
        made = _booked(target, scenario) - before
        answered = row.result.statuses.get(str(scenario.expect), 0)
        if made < answered:
            row.notes.append(f"note: only {made} bookings stored for {answered} answers")
    if scenario.once:
        fixtures = target.data.fixtures
        web = "web" in scenario.name
        check = sc.check_seats(target.app, fixtures.web_burst if web else fixtures.api_burst)
        target.block.seat_checks.append(f"{scenario.name}: {check}")
        target.block.seats_ok &= check.ok
        row.notes.append(f"oversold check: {check}")


def run_scenario_everywhere(index: int, targets: list[Target], servers, args) -> None:
    """One scenario at every size, on the sizes' servers or (with settings of its own) on
    servers started for it."""
    if servers.get(targets[0].scenarios[index].baseline, True) is None:
        for target in targets:  # its anchor could not be set up: start nothing for it
            target.scenarios[index].skip = servers.get("radicale skip", "no baseline")
    with contextlib.ExitStack() as stack:
        serving = {}
        for target in targets:
            scenario = target.scenarios[index]
            serving[id(target)] = target.server
            if scenario.server_env and not scenario.skip:
                env = {**target.env, **scenario.server_env}
                settings = target.server.settings
                if scenario.server_threads:
                    settings = dataclasses.replace(settings, threads=scenario.server_threads)
                own = Server("wsgi:app", settings, env, ready_path="/login")
                serving[id(target)] = stack.enter_context(own)
        _run_scenario(index, targets, serving, servers, args)


def _run_scenario(index: int, targets: list[Target], serving: dict, servers, args) -> None:
    """Preflight, baseline, throughput, then latency rounds."""
    live = []
    for target in targets:
        scenario = target.scenarios[index]
        row = Row(
            scenario.name,
            baseline=scenario.baseline,
            target=scenario.target,
            slowest_within_s=scenario.slowest_within_s,
            growth=scenario.growth,
            p50_target_ms=scenario.p50_target_ms,
            skip=scenario.skip,
        )
        target.block.rows.append(row)
        if not row.skip:
            ok, why = sc.preflight(serving[id(target)].url, scenario)
            path = urllib.parse.urlsplit(scenario.requests[0].path).path
            if not ok and why.startswith("answers 404"):
                row.skip = f"not available yet (GET {path} answers 404)"
            elif not ok:
                row.skip = f"FAILED: {scenario.requests[0].method} {path} {why}"
        row.notes.extend(scenario.notes)  # what preflight found it serves
        if row.skip:
            print(row.line(f"{row.name} @{target.block.name}"), flush=True)
        else:
            live.append((target, scenario, row))
    if not live:
        return

    # The baseline right before and right after, with the same settings and
    # connections: the ratio to their mean is what the machine's load over these
    # seconds cancels out of (one short baseline run alone was once a third of the next).
    name = live[0][1].baseline
    before_rps = _baseline_rps(servers, name, args) if name else None

    for target, scenario, row in live:
        connections = scenario.connections or args.connections
        if scenario.warm_up:
            if scenario.requests[0].method == "POST":  # the first 200 bookings, once each
                warm, scenario.requests = scenario.requests[:200], scenario.requests[200:]
                run_wrk(serving[id(target)].url, warm, 60, connections, once=True)
            else:
                run_wrk(serving[id(target)].url, scenario.requests, 1, connections)
        before = _booked(target, scenario)
        if scenario.once:
            # A burst ends when every booker has an answer; the duration only bounds it.
            row.result = run_wrk(serving[id(target)].url, scenario.requests, 300, connections, True)
        else:
            row.result = _run(serving[id(target)].url, scenario, args.duration, connections)
        _check(target, scenario, row, before)
    baseline_rps = None
    if name:
        baseline_rps = (before_rps + _baseline_rps(servers, name, args)) / 2
    for target, _scenario, row in live:
        row.baseline_rps = baseline_rps
        print(row.line(f"{row.name} @{target.block.name}"), flush=True)

    # Latency with one connection: no queue, no lock waits, the cost of one request.
    # The sizes take turns, so that a change in the machine's load hits them alike.
    growth = len(targets) > 1 and live[0][1].growth and len(live) == len(targets)
    if growth or live[0][1].p50_target_ms:
        # A slow page's last throughput requests still run after wrk has gone: the
        # rounds start once the servers are idle, to time a render and not that queue.
        for target, _scenario, _row in live:
            serving[id(target)].wait_idle()
        for _round in range(args.rounds):
            for target, scenario, row in live:
                probe = _run(serving[id(target)].url, scenario, max(1, args.duration / 2), 1)
                row.latency_p50_ms.append(probe.p50_ms)
    # Against an anchor, also the cost of one request each: taking turns, one connection.
    if name == "radicale":
        anchor = servers[name].requests(sc.USER_AGENT)
        for _round in range(args.rounds):
            for target, scenario, row in live:
                # Long enough for a few answers from each on a busy machine.
                seconds = max(5, args.duration)
                own = _run(serving[id(target)].url, scenario, seconds, 1)
                theirs = run_wrk(servers[name].url, anchor, seconds, 1)
                if own.requests and theirs.requests:  # no answer: no p50
                    row.latency_p50_ms.append(own.p50_ms)
                    row.anchor_p50_ms.append(theirs.p50_ms)


def run(args) -> tuple[list[Block], dict]:
    from app import create_app

    settings = ServerSettings(args.workers, args.threads)
    with (
        tempfile.TemporaryDirectory(prefix="tcb-bench-") as folder,
        contextlib.ExitStack() as stack,
    ):
        targets = []
        if args.dataset == "national":
            shapes = [national()]
        else:
            shapes = [standard(size) for size in args.sizes]
        for shape in shapes:
            key = "national" if shape.national else shape.bookings
            url, server_url = stack.enter_context(database(args, key, folder))
            what = shape.name if shape.national else f"{shape.bookings:,} bookings"
            print(f"Loading {what} into {args.database} ...", end=" ", flush=True)
            data = build(url, shape, burst_seats=args.burst_seats)
            print(
                f"{data.seconds:.1f} s: "
                + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in data.counts.items()),
                flush=True,
            )
            if shape.national:
                print(f"   {data.label} ({data.first_day} to {data.last_day})", flush=True)
            config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET}
            env = {"DATABASE_URL": server_url, "SECRET_KEY": SECRET}
            if not shape.national:
                # A deployment for the north, as before all of Sweden was stored (0126):
                # its pages offer the two counties' 29 municipalities, not 290.
                config["SERVED_COUNTIES"] = list(NORTHERN_COUNTIES)
                env["TCB_SERVED_COUNTIES"] = ",".join(NORTHERN_COUNTIES)
            app = create_app(config)
            server = stack.enter_context(Server("wsgi:app", settings, env, ready_path="/login"))
            block = Block(
                data.size,
                args.database,
                data.counts,
                data.seconds,
                "national" if shape.national else f"{data.size:,}",
                data.label,
            )
            target = Target(data, app, server, block, env)
            target.scenarios = sc.build_scenarios(
                app, data.fixtures, args.burst_bookers, args.burst_connections, shape.national
            )
            targets.append(target)

        raw_db = os.path.join(folder, "raw.sqlite")
        create_raw_database(raw_db)
        # The bare stack on the run's database: the app's bookings are measured against it.
        stack_url, _server_url = stack.enter_context(database(args, "stack", folder))
        stack_people = create_stack_database(stack_url, SECRET, sc.USER_AGENT)
        stack_server = stack.enter_context(
            Server(
                "bench.stack_floor:stack_booking_app()",
                settings,
                {"STACK_BOOKING_URL": stack_url, "SECRET_KEY": SECRET},
                signed_in=stack_people,
            )
        )
        servers = {
            "hello": stack.enter_context(Server("bench.baselines:hello_app()", settings)),
            "raw": stack.enter_context(
                Server("bench.baselines:raw_booking_app()", settings, {"RAW_BOOKING_DB": raw_db})
            ),
            "stack": stack_server,
            # The same server's signed-in page: the floor of any signed-in page.
            "stack page": stack_server,
            # And its booking: the floor of the app's bookings (issue 20).
            "stack booking": stack_server,
        }
        if not args.only or args.only in sc.COLD_FEED:
            servers.update(start_radicale(targets[0], folder, stack))
        print(f"\n{HEADER}")
        for index, scenario in enumerate(targets[0].scenarios):
            if not args.only or args.only in scenario.name:
                run_scenario_everywhere(index, targets, servers, args)
        if not args.only or args.only in STACK_FLOOR:
            measure_stack_floor(targets, servers, args, stack_people)
        for target in targets:
            if not args.only:
                # Two per worker at once: the memory target holds with 10 MB uploads.
                target.block.uploads = sc.upload_employee_lists(
                    target.app,
                    target.server.url,
                    target.data.fixtures.coordinator,
                    2 * args.workers,
                )
            target.block.peak_rss_mb = target.server.peak_rss_mb()
        return [t.block for t in targets]


def start_radicale(target: Target, folder: str, stack) -> dict:
    """Radicale holding the cold feed's events, as the anchor of that scenario:
    {"radicale": server} or, when it cannot serve them, {"radicale": None} and why."""
    scenario = next(s for s in target.scenarios if s.name == sc.COLD_FEED)
    if scenario.skip:
        return {"radicale": None, "radicale skip": scenario.skip}
    status, _headers, body = sc.send(target.server.url, scenario.requests[0])
    events = body.count(b"BEGIN:VEVENT")
    anchor = Radicale(os.path.join(folder, "radicale"))
    anchor.file(body)
    stack.enter_context(anchor)
    print(f"Filing {events:,} events in Radicale ...", end=" ", flush=True)
    served = anchor.serves()  # its first GET also builds its cache: not timed
    print(f"it serves {served:,}.", flush=True)
    if status != 200 or served != events:
        why = f"FAILED: Radicale serves {served:,} of {events:,} events (feed: {status})"
        return {"radicale": None, "radicale skip": why}
    return {"radicale": anchor}


def print_summary(blocks: list[Block], args, elapsed: float) -> list[str]:
    settings = ServerSettings(args.workers, args.threads)
    failures = []
    for block in blocks:
        print(f"\n== {block.label} on {block.database}, {settings}")
        print(HEADER)
        for row in block.rows:
            print(row.line())
            if row.verdict == "FAIL" or row.skip.startswith("FAILED"):
                failures.append(f"{row.name} at {block.name}")
        feed, small = block.row("feed 1,000 events"), block.row("feed 10 events")
        if feed and small and feed.result and small.result:
            times = feed.result.p50_ms / small.result.p50_ms
            verdict = "PASS" if times < FEED_TARGET else "FAIL"
            if verdict == "FAIL":
                failures.append(f"feed 1,000 vs 10 at {block.name}")
            print(
                f"   feed of 1,000 events vs 10, p50: {feed.result.p50_ms:.1f} / "
                f"{small.result.p50_ms:.1f} ms = {times:.2f}× (target < {FEED_TARGET:g}×) {verdict}"
            )
        cold = block.row(sc.COLD_FEED)
        if cold and cold.latency_p50_ms and cold.anchor_p50_ms:
            own = statistics.median(cold.latency_p50_ms)
            anchor = statistics.median(cold.anchor_p50_ms)
            verdict = "PASS" if anchor / own >= sc.COLD_FEED_TARGET else "FAIL"
            if verdict == "FAIL":
                failures.append(f"cold feed vs Radicale at {block.name}")
            print(
                f"   cold feed of 1,000 events vs Radicale serving them, one connection, p50: "
                f"{own:.1f} / {anchor:.1f} ms = {anchor / own:.2f}× as fast "
                f"(target ≥ {sc.COLD_FEED_TARGET:g}×) {verdict}"
            )
        if not block.seats_ok:
            failures.append(f"oversold seats at {block.name}")
        if block.peak_rss_mb:
            peak = max(block.peak_rss_mb.values())
            verdict = "PASS" if peak < MEMORY_TARGET_MB else "FAIL"
            if verdict == "FAIL":
                failures.append(f"worker memory at {block.name}")
            each = ", ".join(f"{v:.0f}" for v in sorted(block.peak_rss_mb.values()))
            print(
                f"   peak resident memory of one worker (VmHWM): {peak:.0f} MB "
                f"(workers {each} MB; target < {MEMORY_TARGET_MB} MB) {verdict}"
            )
            if block.uploads:
                print(f"   {'':<38} including {block.uploads}")

    for row in blocks[-1].rows:
        if row.p50_target_ms and row.latency_p50_ms:
            p50 = statistics.median(row.latency_p50_ms)
            verdict = "PASS" if p50 <= row.p50_target_ms else "FAIL"
            if verdict == "FAIL":
                failures.append(f"p50 of {row.name} at {blocks[-1].name}")
            print(
                f"\n   {row.name} @{blocks[-1].name}: p50 {p50:.1f} ms with one connection "
                f"(median of {len(row.latency_p50_ms)} rounds; target ≤ {row.p50_target_ms:g} ms)"
                f" {verdict}"
            )
    if args.dataset == "national":
        print(
            "\n== Growth of p50 between sizes: n/a (one national data set; the growth "
            "targets compare the standard sets' sizes)"
        )
    if len(blocks) >= 2:
        small, large = blocks[0], blocks[-1]
        a, b = f"p50 {small.size:,}", f"p50 {large.size:,}"
        print(
            f"\n== Growth of p50 from {small.size:,} to {large.size:,} bookings "
            f"(one connection, {args.rounds} rounds taking turns, median of the rounds' p50)"
        )
        print(f"   {'scenario':<38} {a:>14} {b:>14} {'growth':>8} {'target':>7}")
        for row in small.rows:
            other = large.row(row.name)
            if not row.growth or other is None:
                continue
            if not (row.latency_p50_ms and other.latency_p50_ms):
                print(f"   {row.name:<38} SKIP")
                continue
            p50_a = statistics.median(row.latency_p50_ms)
            p50_b = statistics.median(other.latency_p50_ms)
            growth = p50_b / p50_a
            verdict = "PASS" if growth < GROWTH_TARGET else "FAIL"
            if verdict == "FAIL":
                failures.append(f"growth of {row.name}")
            print(
                f"   {row.name:<38} {p50_a:>11.2f} ms {p50_b:>11.2f} ms"
                f" {growth:>7.2f}× {'<' + format(GROWTH_TARGET, 'g') + '×':>7} {verdict}"
            )
    print(f"\nTotal time {elapsed / 60:.1f} min. ", end="")
    print("All targets met." if not failures else f"Missed: {'; '.join(failures)}.")
    return failures


def main(argv=None) -> int:
    args = parse_args(argv)
    if not wrk_available():
        print("wrk is not installed: apt-get install -y wrk (see docs/benchmark.md)")
        return 2
    started = time.monotonic()
    print(
        f"Benchmark on {platform.node()}: {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f}, Python {platform.python_version()}; {args.database}; "
        f"{ServerSettings(args.workers, args.threads)}; wrk with {args.connections} "
        f"connections, {args.duration:g} s per scenario; bursts of {args.burst_bookers} "
        f"bookers on {args.burst_connections} connections for {args.burst_seats} seats"
    )
    blocks = run(args)
    failures = print_summary(blocks, args, time.monotonic() - started)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(
                {
                    "args": vars(args),
                    "blocks": [asdict(b) for b in blocks],
                    "failures": failures,
                },
                handle,
                indent=2,
                default=str,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
