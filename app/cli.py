"""The ``sipas`` command line (docs/contracts.md §1).

Each command imports what it needs when it runs: the analytics (numpy, scipy,
statsmodels), the migrations (Alembic) and the imports cost a second or more to load, and
a command that needs none of them starts at once.
"""

import argparse
import gc
import getpass
import json
import socket
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app import clock
from app.accounts.service import create_account, list_accounts, reset_password, set_disabled
from app.config import Settings, get_settings
from app.db import settings_engine
from app.errors import AppError, Invalid
from app.imports.csvfile import CsvSource, ImportRejected
from app.keys.service import create_api_key, list_api_keys, revoke_api_key
from app.models import ROLES
from app.months import Month
from app.surveys.forms import FormCatalog, FormFileError

CLI_ACTOR = "cli"


@contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    with settings_engine(settings) as engine, Session(engine) as session:
        yield session


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from app.migrate import upgrade

    with settings_engine(settings) as engine:
        upgrade(engine)
    print("database is at the newest revision")
    return 0


def cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from app.seeding.demo import seed_demo
    from app.seeding.reference import seed_reference

    catalog = FormCatalog.from_directory()
    with _session(settings) as session:
        summary = seed_reference(session, catalog, settings.import_error_cap)
        print(
            f"reference data: +{summary.sectors} sectors, +{summary.units} units, "
            f"+{summary.procedures} procedures, +{summary.targets} targets, +{summary.forms} forms"
        )
        if args.demo:
            with collector_paused():
                demo = seed_demo(session, catalog, settings.zone, clock.now())
            print(
                f"demo data: +{demo.counters} counters, +{demo.volumes} volumes, "
                f"+{demo.responses} responses"
            )
        if args.dossier_file:
            _write_demo_dossiers(session, Path(args.dossier_file), settings)
    return 0


def _write_demo_dossiers(session: Session, path: Path, settings: Settings) -> None:
    from datetime import timedelta

    from app.seeding.demo_dossiers import demo_dossiers, write_demo_dossiers

    day = clock.today(settings.zone) - timedelta(days=1)
    if day.weekday() == 6:  # the counters are closed on Sundays
        day -= timedelta(days=1)
    rows = demo_dossiers(session, day, settings.zone)
    write_demo_dossiers(rows, path)
    print(f"{path}: {len(rows)} synthetic dossiers finished on {day} (DuLieuMau = 1)")


def _progress(started: float) -> Callable[[int, int, int], None]:
    def report(done: int, total: int, rows: int) -> None:
        share = f"{100 * done / total:5.1f}%" if total else ""
        rate = rows / max(time.monotonic() - started, 1e-9)
        print(f"  {share} {rows:>10,} rows  {rate:,.0f} rows/s", file=sys.stderr)

    return report


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a batch job.

    An import builds millions of short-lived tuples and dicts and no reference cycles;
    refcounting frees them all, and the collector's repeated scans only cost time (a
    quarter of an import's time, measured in bench/import_responses.py).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from app.imports.reference import (
        ImportResult,
        import_counters,
        import_procedures,
        import_units,
        import_volumes,
    )
    from app.imports.responses import import_responses

    path = Path(args.file)
    if not path.is_file():
        print(f"{path}: no such file", file=sys.stderr)
        return 2
    if args.kind == "dossiers":
        return _import_dossiers(path, args.mapping, settings)
    source = CsvSource.open(path)
    cap = settings.import_error_cap
    started = time.monotonic()
    with _session(settings) as session, collector_paused():
        result: ImportResult
        if args.kind == "responses":
            result = import_responses(
                session,
                source,
                FormCatalog.from_directory(),
                settings.zone,
                cap,
                CLI_ACTOR,
                progress=_progress(started),
            )
        else:
            importer = {
                "units": import_units,
                "counters": import_counters,
                "procedures": import_procedures,
                "volumes": import_volumes,
            }[args.kind]
            result = importer(session, source, cap, CLI_ACTOR)
    elapsed = time.monotonic() - started
    print(
        f"{path.name}: {result.rows} rows, {result.inserted} added, {result.updated} updated, "
        f"{result.skipped} unchanged ({elapsed:.1f} s)"
    )
    return 0


def _import_dossiers(path: Path, mapping_file: str | None, settings: Settings) -> int:
    from app.dossiers.mapping import load_mapping
    from app.dossiers.service import import_dossier_file

    mapping = load_mapping(Path(mapping_file) if mapping_file else settings.dossier_mapping)
    started = time.monotonic()
    with _session(settings) as session, path.open("rb") as content, collector_paused():
        result = import_dossier_file(session, path.name, content, mapping, settings, CLI_ACTOR)
    print(
        f"{path.name}: {result.rows} dossiers, {result.inserted} added, {result.updated} "
        f"updated, {result.unchanged} unchanged; volumes derived for "
        f"{', '.join(result.months) or 'no month'} ({time.monotonic() - started:.1f} s)"
    )
    return 0


def cmd_apikey(args: argparse.Namespace, settings: Settings) -> int:
    with _session(settings) as session:
        if args.action == "create":
            key, plain = create_api_key(session, args.role, args.unit or [], args.label, CLI_ACTOR)
            print(plain)
            print(
                f"role {key.role}, prefix {key.prefix}: store the key now, it is not shown again",
                file=sys.stderr,
            )
        elif args.action == "list":
            for item in list_api_keys(session):
                state = "revoked" if item.revoked else "active"
                units = ",".join(item.unit_codes) or "-"
                print(
                    f"{item.prefix}\t{item.role}\t{state}\t{units}\t{item.created_at}\t{item.label}"
                )
        else:
            revoke_api_key(session, args.prefix, CLI_ACTOR)
            print(f"revoked {args.prefix}")
    return 0


def _read_password() -> str:
    """A password typed twice at a terminal, or the first line of standard input (scripts)."""
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise Invalid("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def cmd_user(args: argparse.Namespace, settings: Settings) -> int:
    """People's accounts for the dashboard (machines use API keys)."""
    with _session(settings) as session:
        if args.action == "create":
            password = _read_password()
            account = create_account(session, args.username, args.role, args.unit or [],
                                     password, CLI_ACTOR, display_name=args.name)  # fmt: skip
            print(f"created {account.username} ({account.role})")
        elif args.action == "list":
            for item in list_accounts(session):
                state = "disabled" if item.disabled else "active"
                units = ",".join(item.unit_codes) or "-"
                print(f"{item.username}\t{item.role}\t{state}\t{units}\t{item.display_name}")
        elif args.action in ("disable", "enable"):
            set_disabled(session, args.username, args.action == "disable", CLI_ACTOR)
            print(f"{args.action}d {args.username}")
        else:
            reset_password(session, args.username, _read_password(), CLI_ACTOR)
            print(f"new password set for {args.username}; its sessions have ended")
    return 0


def cmd_analytics(args: argparse.Namespace, settings: Settings) -> int:
    """The analytics routes' results, the same rows in the same formats."""
    from app.stats.outputs import drivers_output, satisfaction_output, targets_output, trend_output
    from app.stats.params import parse_query
    from app.stats.table import write_rows

    catalog = FormCatalog.from_directory()
    series = args.by or None if args.action == "trend" else None
    query = parse_query(
        catalog,
        date_from=args.date_from,
        date_to=args.date_to,
        by="" if args.action == "trend" else getattr(args, "by", ""),
        indicator=getattr(args, "indicator", "overall"),
        weighting=args.weighting,
        interval=args.ci,
        level=args.level,
        small_sample=settings.small_sample,
    )
    url = settings.analytics_database_url or settings.database_url
    analytics_settings = settings.model_copy(update={"database_url": url})
    with _session(analytics_settings) as session:
        if args.action == "trend":
            output = trend_output(session, catalog, query, series, None)
        else:
            answer = {"targets": targets_output, "drivers": drivers_output,
                      "satisfaction": satisfaction_output}[args.action]  # fmt: skip
            output = answer(session, catalog, query, None)
    if args.format == "csv":
        write_rows(sys.stdout, output.rows, output.fields)
    else:
        json.dump(output.document, sys.stdout, ensure_ascii=False, indent=2)
        print()
    return 0


def cmd_tally(args: argparse.Namespace, settings: Settings) -> int:
    from app.stats.tallying import tally_closed_months, tally_month

    if args.rebuild and args.month is None:
        print("sipas: --rebuild replaces a month's tallies: name it with --month", file=sys.stderr)
        return 2
    catalog = FormCatalog.from_directory()
    with _session(settings) as session:
        if args.month is None:
            months = tally_closed_months(session, catalog, settings.zone)
            for month in months:
                print(f"tallied {month}")
            print(f"{len(months)} month(s) tallied")
            return 0
        wanted = _month(args.month)
        if wanted is None:
            return 2
        outcome = tally_month(session, catalog, str(wanted), rebuild=args.rebuild)
    hints = {"tallied already": " (--rebuild replaces its tallies)",
             "responses arrived": " while it was counted; run again"}  # fmt: skip
    print(f"{wanted}: {outcome}{hints.get(outcome, '')}")
    return 0


def _month(text: str) -> Month | None:
    """``--month`` as a Month, or None after saying why it is not one."""
    try:
        return Month.parse(text)
    except ValueError as exc:
        print(f"sipas: --month: {exc}", file=sys.stderr)
        return None


def cmd_qr_poster(args: argparse.Namespace, settings: Settings) -> int:
    from app.surveys.poster_pdf import posters_pdf
    from app.surveys.qr import poster_set, posters_html

    with _session(settings) as session:
        posters = poster_set(session, args.unit, settings.public_base_url)
    out = Path(args.out)
    if out.suffix.lower() == ".pdf":
        out.write_bytes(posters_pdf(posters, args.size))
    else:
        out.write_text(posters_html(posters, args.size, standalone=True), encoding="utf-8")
    count = len(posters.counters)
    print(f"{out}: {count} poster(s) for unit {args.unit} ({args.size.upper()})")
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from app.reports.schedule import run_due
    from app.reports.service import generate, report_options

    catalog = FormCatalog.from_directory()
    if args.action == "run-due":
        with settings_engine(settings) as engine:
            made = run_due(engine, catalog, settings.zone, options=report_options(settings))
        for one in made:
            print(f"report {one.month} version {one.version}: {one.status}")
        print(f"{len(made)} report(s) made")
        return 0
    month = _month(args.month)
    if month is None:
        return 2
    with _session(settings) as session:
        report = generate(session, catalog, month, None, report_options(settings), settings.zone)
        if report is None:
            print(f"sipas: the {month} report is being made by another process", file=sys.stderr)
            return 1
        print(f"report {report.month} version {report.version}: {report.status}")
    return 0


def cmd_alerts(args: argparse.Namespace, settings: Settings) -> int:
    from app.alerts.delivery import run_alerts

    catalog = FormCatalog.from_directory()
    with settings_engine(settings) as engine:
        summary = run_alerts(engine, catalog, settings)
    print(
        f"{summary.planned} delivery(ies) planned, {summary.delivered} delivered, "
        f"{summary.retrying} to retry, {summary.dead} dead-lettered"
    )
    return 0


def cmd_invitations(args: argparse.Namespace, settings: Settings) -> int:
    from app.messaging.sender import send_due_messages

    with settings_engine(settings) as engine:
        summary = send_due_messages(engine, settings)
    print(
        f"{summary.sent} sent, {summary.retrying} to retry, {summary.dead} given up, "
        f"{summary.skipped} not needed, {summary.deferred} deferred"
    )
    return 0


def cmd_dossiers_pull(args: argparse.Namespace, settings: Settings) -> int:
    from app.dossiers.daily import run_dossier_day

    if settings.dossier_inbox is None and not settings.dossier_feed_url:
        print("sipas: no feed: set SIPAS_DOSSIER_INBOX or SIPAS_DOSSIER_FEED_URL",
              file=sys.stderr)  # fmt: skip
    with settings_engine(settings) as engine:
        pulled, draws = run_dossier_day(engine, settings)
    for one in pulled:
        if (result := one.result) is not None:
            told = f"{result.rows} dossiers, {result.inserted} added, {result.updated} updated"
        else:
            told = (one.detail or "").split("\n")[0]
        print(f"{one.source}: {one.outcome} ({told})")
    for draw in draws:
        print(f"sample of {draw.drawn_on}: {draw.invited} invited of {draw.frame_size} dossiers")
    return 1 if any(one.outcome != "imported" for one in pulled) else 0


def cmd_local_gateway(args: argparse.Namespace, settings: Settings) -> int:
    from app.messaging.local_gateway import LocalGateway

    gateway = LocalGateway(keep=Path(args.keep) if args.keep else None)
    server = gateway.server(args.host, args.port)
    print(f"local gateway on http://{args.host}:{args.port}/send: nothing leaves this machine",
          flush=True)  # fmt: skip
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def cmd_sample(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import date, timedelta

    from app.dossiers.sampling import draw_sample

    if args.day is None:  # yesterday's dossiers, in the city's calendar
        day = clock.today(settings.zone) - timedelta(days=1)
    else:
        try:
            day = date.fromisoformat(args.day)
        except ValueError:
            print(f"sipas: --day: not a date YYYY-MM-DD: {args.day!r}", file=sys.stderr)
            return 2
    with _session(settings) as session:
        draw = draw_sample(session, day, settings, args.seed)
        print(
            f"{draw.drawn_on}: seed {draw.seed}, frame {draw.frame_size} dossiers (sha256 "
            f"{draw.frame_sha256[:12]}…), {draw.eligible} reachable, {draw.invited} invited"
        )
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from app.migrate import upgrade
    from app.observability import log_config

    FormCatalog.from_directory()
    _check_can_listen(args.host, args.port)
    if not args.no_migrate:
        with settings_engine(settings) as engine:
            upgrade(engine)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        timeout_worker_healthcheck=args.worker_timeout,
        proxy_headers=True,
        log_config=log_config(),
        access_log=False,  # the application logs each request itself, as JSON
        server_header=False,  # no banner naming the server's software to those probing it
    )
    return 0


class CannotListen(Exception):
    """The server's address is taken or not this machine's."""


def _check_can_listen(host: str, port: int) -> None:
    """Bind the address once before anything starts, as uvicorn will: a taken port then
    stops ``serve`` with one line, before the scheduler's first run has begun."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CannotListen(f"cannot listen on {host}:{port}: {reason.lower()}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sipas", description="SIPAS survey platform")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--worker-timeout",
        type=int,
        default=60,
        metavar="SECONDS",
        help="how long a worker may take to start before it is restarted (default 60)",
    )
    serve.add_argument(
        "--no-migrate", action="store_true", help="skip migrations (run them as their own step)"
    )
    serve.set_defaults(handler=cmd_serve)

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="action", required=True)
    db_commands.add_parser("upgrade", help="apply migrations").set_defaults(handler=cmd_db_upgrade)

    seed = commands.add_parser("seed", help="Hải Phòng reference data (and demo data)")
    seed.add_argument("--demo", action="store_true", help="also counters, volumes, responses")
    seed.add_argument(
        "--dossier-file",
        metavar="FILE.csv|FILE.json",
        help="also write a synthetic dossier file of the last working day, to import",
    )
    seed.set_defaults(handler=cmd_seed)

    imports = commands.add_parser("import", help="bulk CSV import, all or nothing per file")
    imports.add_argument(
        "kind", choices=("units", "counters", "procedures", "volumes", "responses", "dossiers")
    )
    imports.add_argument("file", help="CSV; for dossiers also JSON (by the .json name)")
    imports.add_argument(
        "--mapping", metavar="FILE.toml", help="dossiers: the vendor's field names"
    )
    imports.set_defaults(handler=cmd_import)

    stats = commands.add_parser("analytics", help="satisfaction estimates (as the REST API)")
    stats_commands = stats.add_subparsers(dest="action", required=True)
    for name, help_text in (
        ("satisfaction", "weighted rates with intervals, by sector, unit, …"),
        ("targets", "the plan's indicators against their targets"),
        ("trend", "monthly series per sector or unit, with a test for a trend"),
        ("drivers", "which elements move overall satisfaction most"),
    ):
        command = stats_commands.add_parser(name, help=help_text)
        command.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
        command.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
        if name == "satisfaction":
            command.add_argument("--by", default="", help="comma list: sector,unit,channel,…")
        if name == "trend":
            command.add_argument("--by", choices=("sector", "unit"), help="one series for all")
        if name in ("satisfaction", "trend"):
            command.add_argument("--indicator", default="overall")
        # Checked by the query, as the API checks them (naming the parameter): a list here
        # would load the analytics for every command.
        command.add_argument("--weighting", help="none, poststratified or raked")
        command.add_argument("--ci", default="logit", help="logit, beta or wald")
        command.add_argument("--level", type=float, default=0.95)
        command.add_argument("--format", default="json", choices=("json", "csv"))
        command.set_defaults(handler=cmd_analytics)
    tally = stats_commands.add_parser(
        "tally", help="keep the counts of closed months, so queries over them are fast"
    )
    tally.add_argument("--month", metavar="YYYY-MM", help="this month only, even if open")
    tally.add_argument(
        "--rebuild", action="store_true", help="with --month: replace its tallies if it has some"
    )
    tally.set_defaults(handler=cmd_tally)

    report = commands.add_parser("report", help="the monthly satisfaction report")
    report_commands = report.add_subparsers(dest="action", required=True)
    generate = report_commands.add_parser("generate", help="make a new version of a month's")
    generate.add_argument("--month", required=True, metavar="YYYY-MM")
    generate.set_defaults(handler=cmd_report)
    report_commands.add_parser(
        "run-due", help="make every report that is due (for cron; serve does it itself)"
    ).set_defaults(handler=cmd_report)

    alerts = commands.add_parser("alerts", help="alerts to units of dissatisfied responses")
    alert_commands = alerts.add_subparsers(dest="action", required=True)
    alert_commands.add_parser(
        "run", help="send the alerts that are due, once (for cron; serve does it itself)"
    ).set_defaults(handler=cmd_alerts)

    sample = commands.add_parser("sample", help="the daily random sample of finished dossiers")
    sample_commands = sample.add_subparsers(dest="action", required=True)
    draw = sample_commands.add_parser(
        "draw", help="draw a day's sample and make its invitations (once per day)"
    )
    draw.add_argument("--day", metavar="YYYY-MM-DD", help="the day finished (default: yesterday)")
    draw.add_argument("--seed", type=int, help="to draw again as before (default: random)")
    draw.set_defaults(handler=cmd_sample)

    invitations = commands.add_parser("invitations", help="the sample's invitation messages")
    invitation_commands = invitations.add_subparsers(dest="action", required=True)
    invitation_commands.add_parser(
        "send", help="send the messages that are due, once (for cron; serve does it itself)"
    ).set_defaults(handler=cmd_invitations)
    local = invitation_commands.add_parser(
        "local-gateway",
        help="a gateway on this machine that prints each message and sends nothing (the demo)",
    )
    local.add_argument("--host", default="127.0.0.1")
    local.add_argument("--port", type=int, default=8090)
    local.add_argument(
        "--keep", metavar="FILE", help="also append each message to FILE (JSON lines)"
    )
    local.set_defaults(handler=cmd_local_gateway)

    dossiers = commands.add_parser("dossiers", help="the dossier feed")
    dossier_commands = dossiers.add_subparsers(dest="action", required=True)
    dossier_commands.add_parser(
        "pull",
        help="import the feed's new files once, then draw the samples due (for cron; serve "
        "does it every hour)",
    ).set_defaults(handler=cmd_dossiers_pull)

    qr = commands.add_parser("qr", help="QR codes for counters")
    qr_commands = qr.add_subparsers(dest="action", required=True)
    poster = qr_commands.add_parser(
        "poster", help="print-ready posters for a unit: a PDF (--out x.pdf) or an HTML file"
    )
    poster.add_argument("--unit", required=True, metavar="CODE")
    poster.add_argument("--out", required=True, metavar="FILE")
    poster.add_argument("--size", choices=("a4", "a5"), default="a4")
    poster.set_defaults(handler=cmd_qr_poster)

    apikey = commands.add_parser("apikey", help="API keys")
    key_commands = apikey.add_subparsers(dest="action", required=True)
    create = key_commands.add_parser("create", help="print a new key once")
    create.add_argument("--role", choices=ROLES, required=True)
    create.add_argument("--unit", action="append", metavar="CODE", help="unit keys: repeatable")
    create.add_argument("--label", default="")
    create.set_defaults(handler=cmd_apikey)
    key_commands.add_parser("list", help="list keys").set_defaults(handler=cmd_apikey)
    revoke = key_commands.add_parser("revoke", help="revoke a key by its prefix")
    revoke.add_argument("prefix")
    revoke.set_defaults(handler=cmd_apikey)

    user = commands.add_parser("user", help="people's accounts for the dashboard")
    user_commands = user.add_subparsers(dest="action", required=True)
    new_user = user_commands.add_parser(
        "create", help="a new account; the password is read from the terminal or stdin"
    )
    new_user.add_argument("--username", required=True)
    new_user.add_argument("--role", choices=ROLES, required=True)
    new_user.add_argument("--unit", action="append", metavar="CODE", help="unit role: repeatable")
    new_user.add_argument("--name", default="", help="the person's full name")
    new_user.set_defaults(handler=cmd_user)
    user_commands.add_parser("list", help="list accounts").set_defaults(handler=cmd_user)
    for action, text in (("disable", "disable an account and end its sessions"),
                         ("enable", "enable a disabled account"),
                         ("reset-password", "set a new password (terminal or stdin)")):  # fmt: skip
        one = user_commands.add_parser(action, help=text)
        one.add_argument("username")
        one.set_defaults(handler=cmd_user)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = get_settings()
    try:
        code: int = args.handler(args, settings)
    except ImportRejected as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        for error in exc.errors:
            print(
                f"  {args.file}:{error.line}: column {error.field}: {error.message}",
                file=sys.stderr,
            )
        return 1
    except AppError as exc:
        print(f"error: {exc}", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error.field}: {error.message}", file=sys.stderr)
        return 1
    except (FormFileError, CannotListen) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OperationalError as exc:
        print(f"error: {_database_problem(exc)}", file=sys.stderr)
        return 1
    except Exception as exc:  # one line for the administrator, never a traceback
        print(f"error: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        return 1
    return code


def _database_problem(exc: OperationalError) -> str:
    """What an administrator can do about a database error, in one line."""
    cause = str(exc.orig).splitlines()[0] if exc.orig is not None else str(exc)
    if "locked" in cause or "busy" in cause:
        return (
            "the database stayed busy with another writer for 30 s (a long import?); "
            f"try again when it has finished ({cause})"
        )
    return f"the database cannot be used: {cause} (is SIPAS_DATABASE_URL right?)"


if __name__ == "__main__":
    sys.exit(main())
