"""The ``routine-audit`` command line: parse options, call the library, render.

Only this module imports Typer. Every command turns the library's
``RoutineAuditError`` into a one-line message and its documented exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._version import __version__
from .errors import ExitCode, RoutineAuditError, UserError
from .wording import count_text

if TYPE_CHECKING:
    from .rules_check import CheckLine

app = typer.Typer(
    name="routine-audit",
    help="Audit sales reps' calendars against the routines they committed to.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
# with no subcommand, a sub-app prints its help (on stderr, exit 2), as the top level does
rules_app = typer.Typer(
    help="Check and create rule files (routines and classification rules).",
    short_help="Check and create routine, rules and team files.",
    no_args_is_help=True,
)
app.add_typer(rules_app, name="rules")
auth_app = typer.Typer(
    help="Sign in to Google Calendar or Microsoft 365, check the sign-in, sign out.",
    no_args_is_help=True,
)
app.add_typer(auth_app, name="auth")
team_app = typer.Typer(help="Audit a whole team described in a team file.", no_args_is_help=True)
app.add_typer(team_app, name="team")

ConfigOption = Annotated[
    Path, typer.Option("--config", metavar="FILE", help="The team file (YAML, kind: team).")
]
RepOption = Annotated[
    str | None, typer.Option("--rep", metavar="EMAIL", help="Audit only this rep.")
]
DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        metavar="FILE",
        help="History database (default: the team file's db, else the user data dir).",
    ),
]


class ReportFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"
    csv = "csv"
    html = "html"


class Provider(StrEnum):
    google = "google"
    microsoft = "microsoft"


class TeamFormat(StrEnum):
    table = "table"
    markdown = "markdown"


class EventsFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class AudienceChoice(StrEnum):
    owner = "owner"
    manager = "manager"


class _PlainArguments(typer.core.TyperCommand):
    """Help listing each argument by its placeholder and help alone: Typer would add the
    Python type (``<list[Path]>``), which tells a user nothing."""

    def format_options(self, ctx, formatter) -> None:
        params = [p for p in self.get_params(ctx) if not getattr(p, "hidden", False)]
        arguments = [
            (p.metavar or p.name.upper(), getattr(p, "help", None) or "")
            for p in params
            if p.param_type_name == "argument"
        ]
        options = [p.get_help_record(ctx) for p in params if p.param_type_name == "option"]
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl([row for row in rows if row is not None])


HISTORY_MOST_WEEKS = 520  # ten years of weeks: `history --weeks` at most


def _choices(choices: type[StrEnum]) -> str:
    """A choice option's placeholder, as click writes it: [a|b]."""
    return "[" + "|".join(choices) + "]"


IcsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--ics",
        metavar="PATH|URL",
        help="An .ics file, a folder of .ics files (one rep's calendars), or an "
        "http(s)/webcal feed URL. Repeat for several.",
        show_default=False,
    ),
]
SourceNameOption = Annotated[
    str | None,
    typer.Option(
        "--source",
        metavar="NAME",
        help="The calendar source: ics, google, microsoft, caldav, or one a plug-in "
        "registers. Its settings come from --source-option.",
        show_default=False,
    ),
]
SourceOptionsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--source-option",
        metavar="KEY=VALUE",
        help="A setting of --source (as in a team file's calendar entry), e.g. "
        "location=cal.ics, id=rep@company.com (google), user=rep@company.com "
        "(microsoft) or url=https://caldav.icloud.com (caldav). Repeat for several; a "
        "key given twice makes a list.",
        show_default=False,
    ),
]
GoogleOption = Annotated[
    bool, typer.Option("--google", help="Read the calendar through the Google Calendar API.")
]
CalendarOption = Annotated[
    str | None,
    typer.Option(
        "--calendar",
        metavar="ID",
        help="Google calendar id, e.g. rep@company.com (default: primary, or --subject's).",
    ),
]
TokenOption = Annotated[
    str | None,
    typer.Option(
        "--token",
        metavar="FILE",
        help="Google sign-in token file (default: $ROUTINE_AUDIT_TOKEN, else the config folder).",
    ),
]
ServiceAccountOption = Annotated[
    str | None,
    typer.Option(
        "--service-account",
        metavar="FILE",
        help="Workspace service-account key (JSON) with domain-wide delegation.",
    ),
]
SubjectOption = Annotated[
    str | None,
    typer.Option(
        "--subject", metavar="EMAIL", help="With --service-account: the rep's address to act as."
    ),
]
NonInteractiveOption = Annotated[
    bool,
    typer.Option(
        "--non-interactive",
        help="Never open a browser or wait for input (runs without a terminal never do).",
    ),
]
RoutineOption = Annotated[
    Path,
    typer.Option("--routine", metavar="FILE", help="The rep's routine file (YAML, kind: routine)."),
]
RulesOption = Annotated[
    Path | None,
    typer.Option(
        "--rules",
        metavar="FILE",
        help="Classification rules (YAML). Default: the routine's rules: file, else the "
        "shipped defaults.",
    ),
]
WeekOption = Annotated[
    str | None,
    typer.Option(
        "--week", metavar="WEEK", help="ISO week (2026-W47), or last, this, next. Default: last."
    ),
]
StartOption = Annotated[
    str | None, typer.Option("--start", metavar="DATE", help="First day (YYYY-MM-DD), with --end.")
]
EndOption = Annotated[
    str | None,
    typer.Option("--end", metavar="DATE", help="Last day, inclusive (YYYY-MM-DD), with --start."),
]
TzOption = Annotated[
    str | None,
    typer.Option(
        "--tz",
        metavar="ZONE",
        help="Audit time zone (which day an hour is booked on). Default: the routine's.",
    ),
]
AudienceOption = Annotated[
    AudienceChoice,
    typer.Option(
        "--audience",
        metavar=_choices(AudienceChoice),
        help="owner: everything; manager: activities and times, no event content "
        "unless the routine sets share_titles.",
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write to this file (atomically) instead of the terminal.",
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"routine-audit {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Audit sales reps' calendars against the routines they committed to."""
    _one_line_warnings()


def _one_line_warnings() -> None:
    """The library's own warnings as one line on stderr, like its errors."""
    import warnings

    shown = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if getattr(category, "__module__", "").startswith("routine_audit"):
            typer.echo(f"routine-audit: warning: {message}", err=True)
        else:
            shown(message, category, filename, lineno, file, line)

    if getattr(shown, "__name__", "") != "show":
        warnings.showwarning = show


# the parameters named otherwise (a name may carry its value: `browser=False`)
_FLAGS = {
    "only": "--rep",
    "overwrite": "--force",
    "locations": "--ics",
    "browser=False": "--no-browser",
}


def _flag(name: str) -> str:
    """The flag that sets a library parameter (``service_account`` -> ``--service-account``)."""
    return _FLAGS.get(name) or "--" + name.replace("_", "-")


@contextmanager
def user_errors(
    also: Callable[[str], None] | None = None, *, owner: bool = False
) -> Iterator[None]:
    """Bad input ends in one line on stderr and its exit code, never a traceback; ``also``
    takes the same line (a run's log). The parser's or server's own words (``detail``)
    only with ``owner``: they may quote the calendar, and a log keeps none of them."""
    try:
        yield
    except RoutineAuditError as exc:
        if isinstance(exc, UserError):
            exc = exc.with_flags(_flag)
        shown = exc.owner_line() if owner and isinstance(exc, UserError) else str(exc)
        typer.echo(f"routine-audit: error: {shown}", err=True)
        if also is not None:
            with suppress(OSError):
                also(f"routine-audit: error: {exc}")
        raise typer.Exit(int(exc.exit_code)) from None


@app.command()
def audit(
    routine: RoutineOption,
    source: SourceNameOption = None,
    source_option: SourceOptionsOption = None,
    ics: IcsOption = None,
    google: GoogleOption = False,
    calendar: CalendarOption = None,
    token: TokenOption = None,
    service_account: ServiceAccountOption = None,
    subject: SubjectOption = None,
    non_interactive: NonInteractiveOption = False,
    rules: RulesOption = None,
    week: WeekOption = None,
    start: StartOption = None,
    end: EndOption = None,
    tz: TzOption = None,
    audience: AudienceOption = AudienceChoice.owner,
    fmt: Annotated[
        ReportFormat,
        typer.Option("--format", "-f", metavar=_choices(ReportFormat), help="Report format."),
    ] = ReportFormat.table,
    output: OutputOption = None,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            metavar="FILE",
            help="History where `plan --db` recorded your plan: the report shows the week "
            "against it (plan vs what survived).",
        ),
    ] = None,
) -> None:
    """Audit one rep's calendar for a period against their routine."""
    from .report import render

    with user_errors(owner=audience is AudienceChoice.owner):
        source = _source(
            source, source_option, ics, google, calendar, token, service_account, subject
        )
        result = _audit_and_emit(
            render,
            fmt.value,
            output,
            audience,
            source,
            routine,
            rules,
            week,
            start,
            end,
            tz,
            history=db,
        )
        _no_data(result)


AheadWeekOption = Annotated[
    str,
    typer.Option(
        "--week", metavar="WEEK", help="The week ahead: next, this, or an ISO week (2026-W47)."
    ),
]


@app.command("plan", short_help="Check one rep's week ahead; --propose free slots.")
def plan(
    routine: RoutineOption,
    source: SourceNameOption = None,
    source_option: SourceOptionsOption = None,
    ics: IcsOption = None,
    google: GoogleOption = False,
    calendar: CalendarOption = None,
    token: TokenOption = None,
    service_account: ServiceAccountOption = None,
    subject: SubjectOption = None,
    non_interactive: NonInteractiveOption = False,
    rules: RulesOption = None,
    week: AheadWeekOption = "next",
    tz: TzOption = None,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            metavar="FILE",
            help="Also keep the week ahead, and a snapshot of its plan, in this history database.",
        ),
    ] = None,
    audience: AudienceOption = AudienceChoice.owner,
    fmt: Annotated[
        ReportFormat,
        typer.Option("--format", "-f", metavar=_choices(ReportFormat), help="Report format."),
    ] = ReportFormat.table,
    output: OutputOption = None,
    propose: Annotated[
        bool,
        typer.Option(
            "--propose",
            help="Propose free slots for what is still to book, listed in the report and "
            "written as an .ics file to import (nothing is written to any calendar).",
        ),
    ] = False,
    proposals: Annotated[
        Path | None,
        typer.Option(
            "--proposals",
            metavar="FILE",
            help="Write the proposals to this .ics file (implies --propose; default: a file "
            "named after the rep, beside --output or in the current folder).",
        ),
    ] = None,
) -> None:
    """Check the week ahead on one rep's calendar: per commitment what is already blocked
    out against the target, the days with no block, and what is booked on top, with the
    questions to settle before the week starts; with --propose, free slots for the gaps."""
    with user_errors(owner=audience is AudienceChoice.owner):
        source = _source(
            source, source_option, ics, google, calendar, token, service_account, subject
        )
        wanted = (propose or proposals is not None, proposals)
        _plan(source, routine, rules, week, tz, db, audience.value, fmt.value, output, wanted)


def _plan(source, routine, rules, week, tz, db, audience, fmt, output, wanted) -> None:
    from datetime import UTC, datetime

    from .ahead import plan_week
    from .config import load_routine, rules_for
    from .config.check import placeholder_warnings
    from .own_week import keep_and_propose
    from .report.ahead_view import build_ahead, render_ahead

    routine_model = load_routine(routine)
    for warning in placeholder_warnings(routine_model):
        typer.echo(f"routine-audit: warning: {routine}: {warning}", err=True)
    rules_model = rules_for(routine_model, rules)
    now = datetime.now(UTC)
    ahead = plan_week(source, routine_model, rules_model, week, tz=tz)
    proposed = keep_and_propose(
        ahead, routine_model, rules_model, db=db, propose=wanted[0], now=now
    )
    if proposed is not None:
        _write_proposals(proposed, wanted[1], output, source, now)
    report = build_ahead(ahead, audience, proposals=proposed)
    _emit(render_ahead(report, fmt, _options(fmt == "table" and output is None)), output)
    result = ahead.result
    _finish(result.incomplete, len(result.problems), "the report's data-quality section lists them")
    if result.no_data:
        typer.echo(
            f"routine-audit: warning: {result.rep.email}: no events in {result.period.name} "
            f"({result.coverage.status.value}, {result.coverage.newest_text()}); nothing is "
            "blocked out",
            err=True,
        )
        raise typer.Exit(int(ExitCode.PARTIAL))


def _write_proposals(proposed, path: Path | None, output: Path | None, source, now) -> None:
    """The proposals written as an .ics file to import (beside the report by default)."""
    from .atomic import write_text_atomic
    from .proposals_ics import proposals_file_name, render_ics

    if path is None:  # beside the report file; never beside a stream such as /dev/stdout
        beside = output is not None and (not output.exists() or output.is_file())
        path = (output.parent if beside else Path()) / proposals_file_name(proposed.rep)
    _not_an_input(path, output, source)
    write_text_atomic(path, render_ics(proposed, now=now))
    typer.echo(f"wrote {path} ({count_text(len(proposed.blocks), 'proposed block')})", err=True)


def _not_an_input(path: Path, output: Path | None, source) -> None:
    """Refuse a proposals file that would replace a calendar ``--ics`` reads, land in a
    folder it reads (the next check would count the proposed blocks as booked), or be
    the report's own ``--output``."""
    from .errors import Location, UsageError

    target = path.resolve()
    if output is not None and output.resolve() == target:
        raise UsageError("is the report's --output too", where=Location(path), hint=_ELSEWHERE)
    for item in source if isinstance(source, list | tuple) else ():
        if "://" in str(item):  # a feed URL
            continue
        real = Path(item).resolve()
        if real == target:
            raise UsageError("is a calendar --ics reads", where=Location(path), hint=_ELSEWHERE)
        if real.is_dir() and target.parent == real:
            why = f"is in {item}, which --ics reads"
            raise UsageError(why, where=Location(path), hint=_ELSEWHERE)


_ELSEWHERE = "name another file with --proposals FILE.ics"


@app.command(short_help="List every occurrence with its activity and rule.")
def events(
    routine: RoutineOption,
    source: SourceNameOption = None,
    source_option: SourceOptionsOption = None,
    ics: IcsOption = None,
    google: GoogleOption = False,
    calendar: CalendarOption = None,
    token: TokenOption = None,
    service_account: ServiceAccountOption = None,
    subject: SubjectOption = None,
    non_interactive: NonInteractiveOption = False,
    rules: RulesOption = None,
    week: WeekOption = None,
    start: StartOption = None,
    end: EndOption = None,
    tz: TzOption = None,
    audience: AudienceOption = AudienceChoice.owner,
    fmt: Annotated[
        EventsFormat,
        typer.Option("--format", "-f", metavar=_choices(EventsFormat), help="Output format."),
    ] = EventsFormat.table,
    output: OutputOption = None,
) -> None:
    """List every occurrence in the period: its activity, the rule that matched, and
    whether (and why not) it counts."""
    from .report import render_events

    with user_errors(owner=audience is AudienceChoice.owner):
        source = _source(
            source, source_option, ics, google, calendar, token, service_account, subject
        )
        result = _audit_and_emit(
            render_events,
            fmt.value,
            output,
            audience,
            *(source, routine, rules, week, start, end, tz),
            quality_section=False,
        )
        _no_data(result)


@app.command(short_help="Audit the bundled sample team (try this first).")
def demo(
    out: Annotated[
        Path, typer.Option("--out", metavar="FOLDER", help="Folder for the report files.")
    ] = Path("reports/demo"),
    audience: AudienceOption = AudienceChoice.manager,
) -> None:
    """Audit the bundled sample team for its sample week, with a sample history of the
    seven weeks before it: prints each rep's report, the team roll-up, the team's weeks,
    one rep's trends and 1:1 agenda, and writes HTML, Markdown, JSON and CSV reports,
    the agendas and the sample history to --out."""
    from .demo import HISTORY_FILE, run_demo
    from .report import render
    from .report.team_text import render_team_terminal

    with user_errors():
        run = run_demo(out, audience.value)
        typer.echo(render(list(run.team_report.reps), "table", _options(True)))
        typer.echo(render_team_terminal(run.team_report, _options(True)))
        _demo_cadence(out / HISTORY_FILE, out, audience.value)
        for path in run.written:
            typer.echo(f"wrote {path}", err=True)
        typer.echo(f"open {out / 'index.html'} in a browser for the team page", err=True)
        if audience is AudienceChoice.manager:
            agenda = out / "sam-at-northwind.example-agenda.html"
            typer.echo(f"open {agenda} for Sam's 1:1 agenda", err=True)
        typer.echo(
            f"routine-audit history --db {out / HISTORY_FILE} --rep dana@northwind.example "
            "shows Dana's weeks (she improves; Sam's are above)",
            err=True,
        )


def _demo_cadence(db: Path, out: Path, audience: str) -> None:
    """The demo's weeks: the team as reps x weeks (Dana improving, Sam slipping), Sam's
    commitments with their rolling figures and streaks, then Sam's 1:1 agenda."""
    from .config.load import load_team
    from .demo import sample_team_file
    from .history import History
    from .report.trends_text import render_rep_trends, render_team_trends
    from .trends import rep_trends, team_trends

    team = load_team(sample_team_file())
    members = [(m.email, m.name) for m in team.spec.reps]
    with History(db, create=False) as history:
        found = team_trends(history, members, weeks=8, team=team.name)
        typer.echo(render_team_trends(found, team.name, "table", _options(True)), nl=False)
        sam = rep_trends(history, "sam@northwind.example", weeks=8, team=team.name)
        typer.echo(render_rep_trends(sam, "table", _options(True)), nl=False)
    agenda = out / "sam-at-northwind.example-agenda.md"
    if audience == "manager" and agenda.exists():
        typer.echo(agenda.read_text(encoding="utf-8"))


@rules_app.command(
    "check", cls=_PlainArguments, short_help="Validate routine, rules and team files."
)
def rules_check(
    files: Annotated[
        list[Path],
        typer.Argument(metavar="FILE", help="Routine, rule and team files to validate."),
    ],
    online: Annotated[
        bool,
        typer.Option(
            "--online",
            help="Also read every team member's calendar once "
            "(feeds, Google, Microsoft 365, CalDAV).",
        ),
    ] = False,
) -> None:
    """Validate routine, classification-rule and team files; say exactly what is wrong.

    A routine's own rules: file must exist and is checked too. Routines are also
    checked against their rules: file (else the rules given, else the shipped
    defaults): a commitment whose activity no rule assigns gets a warning. A team
    file's routines, rules and local calendars must exist; nothing is fetched unless
    --online is given."""
    from .rules_check import check_files

    with user_errors():
        result = check_files(files, online=online, emit=_say)
    if result.exit_code != ExitCode.OK:
        raise typer.Exit(int(result.exit_code))


def _say(line: CheckLine) -> None:
    """A check's line, its parameters named as flags: its results ("ok") on stdout,
    everything else on stderr."""
    typer.echo(str(line.worded(_flag)), err=line.level != "ok")


@rules_app.command(
    "init", cls=_PlainArguments, short_help="Write a starter routine and rules to edit."
)
def rules_init(
    folder: Annotated[
        Path,
        typer.Argument(metavar="FOLDER", help="Folder to write routine.yaml and rules.yaml into."),
    ],
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
) -> None:
    """Write a starter routine and the default classification rules for you to edit; the
    routine names the rules (rules: rules.yaml), so your edits to them are used."""
    from .config import init_rules

    with user_errors():
        for path in init_rules(folder, overwrite=force):
            typer.echo(f"wrote {path}")
        typer.echo(f"next: edit them, then run routine-audit rules check {folder}/*.yaml")


ProviderOption = Annotated[
    Provider,
    typer.Option(
        "--provider",
        metavar=_choices(Provider),
        help="Where to sign in: google or microsoft (Microsoft 365).",
    ),
]
MsTokenHelp = (
    "Saved sign-in file (default: $ROUTINE_AUDIT_TOKEN, or for microsoft "
    "$ROUTINE_AUDIT_MS_TOKEN_CACHE, else the config folder)."
)
SignInTokenOption = Annotated[str | None, typer.Option("--token", metavar="FILE", help=MsTokenHelp)]


@auth_app.command("login", short_help="Sign in once (Google or Microsoft 365); it is saved.")
def auth_login(
    provider: ProviderOption = Provider.google,
    client_secrets: Annotated[
        str | None,
        typer.Option(
            "--client-secrets",
            metavar="FILE",
            help="Google: OAuth client file (default: $ROUTINE_AUDIT_CLIENT_SECRETS, "
            "else the config folder).",
        ),
    ] = None,
    client_id: Annotated[
        str | None,
        typer.Option(
            "--client-id",
            metavar="ID",
            help="Microsoft: the app registration's client id "
            "(default: $ROUTINE_AUDIT_MS_CLIENT_ID).",
        ),
    ] = None,
    tenant: Annotated[
        str | None,
        typer.Option(
            "--tenant",
            metavar="ID",
            help="Microsoft: tenant id or domain (default: $ROUTINE_AUDIT_MS_TENANT, "
            "else any work account).",
        ),
    ] = None,
    colours: Annotated[
        bool,
        typer.Option(
            "--colours",
            help="Microsoft: also read the mailbox settings, for category colours.",
        ),
    ] = False,
    token: SignInTokenOption = None,
    no_browser: Annotated[
        bool,
        typer.Option(
            "--no-browser",
            help="Print the sign-in address and read back the address the browser was sent to.",
        ),
    ] = False,
    port: Annotated[
        int, typer.Option("--port", metavar="PORT", help="Local port for the sign-in redirect.")
    ] = 8085,
    non_interactive: NonInteractiveOption = False,
) -> None:
    """Sign in once; the sign-in is saved (owner-only) and refreshed automatically."""
    from .errors import CredentialError

    with user_errors():
        _provider_only(provider, client_secrets=client_secrets, client_id=client_id,
                       tenant=tenant, colours=colours or None)  # fmt: skip
        if non_interactive or not sys.stdin.isatty():
            raise CredentialError(
                "signing in needs a person at a terminal",
                hint="run routine-audit auth login interactively once; scheduled runs then "
                "reuse the saved token, or use --service-account"
                if provider == "google"
                else "run routine-audit auth login --provider microsoft interactively once; "
                "scheduled runs then reuse the saved sign-in, or use a certificate "
                "(docs/microsoft.md)",
            )
        if provider == "microsoft":
            from .sources.microsoft import delegated
            from .visible import visible

            destination = delegated.cache_path(token)
            user = delegated.login(
                delegated.client_id_of(client_id),
                delegated.tenant_of(tenant),
                destination,
                browser=not no_browser,
                port=port,
                colours=colours,
                show=typer.echo,
                ask=input,
            )
            typer.echo(f"signed in as {visible(user)}; sign-in saved to {destination}")
            return
        from .sources.google import auth

        destination = auth.token_path(token)
        auth.login(
            auth.client_secrets_path(client_secrets),
            destination,
            browser=not no_browser,
            port=port,
            show=typer.echo,
            ask=input,
        )
        typer.echo(f"signed in; token saved to {destination}")


def _provider_only(provider: str, **given: object) -> None:
    """Options of one provider refused with the other's (--client-id with google...)."""
    from .errors import UsageError

    owners = {"client_secrets": "google", "client_id": "microsoft", "tenant": "microsoft",
              "colours": "microsoft"}  # fmt: skip
    wrong = [name for name, value in given.items() if value and owners[name] != provider]
    if wrong:
        raise UsageError(
            f"`{wrong[0]}` goes with `provider` {owners[wrong[0]]}",
            names=(wrong[0], "provider"),
        )


@auth_app.command("status")
def auth_status(
    provider: ProviderOption = Provider.google, token: SignInTokenOption = None
) -> None:
    """Show who is signed in, with which scopes, and where the sign-in is (never a token)."""
    with user_errors():
        if provider == "microsoft":
            from .sources.microsoft import auth as microsoft
            from .sources.microsoft.delegated import cache_path

            for label, text in microsoft.status(cache_path(token)).items():
                typer.echo(f"{label}: {text}")
            return
        from .sources.google import auth, list_calendars

        path = auth.token_path(token)
        credentials = auth.load_user_credentials(path)
        primary = next((c for c in list_calendars(credentials) if c.get("primary")), {})
        typer.echo(f"signed in as: {primary.get('id', 'unknown')}")
        typer.echo(f"scopes: {', '.join(sorted(credentials.scopes or auth.SCOPES))}")
        typer.echo(f"token: {path}")


@auth_app.command("logout")
def auth_logout(
    provider: ProviderOption = Provider.google, token: SignInTokenOption = None
) -> None:
    """Remove the saved sign-in."""
    if provider == "microsoft":
        from .sources.microsoft.delegated import cache_path, logout
    else:
        from .sources.google.auth import logout
        from .sources.google.auth import token_path as cache_path

    path = cache_path(token)
    with user_errors():
        removed = logout(path)
    if removed:
        typer.echo(f"signed out; removed {path}")
    else:
        typer.echo(f"not signed in (no token at {path})")


@app.command(short_help="List the calendars the account can read.")
def calendars(
    source: SourceNameOption = None,
    source_option: SourceOptionsOption = None,
    token: TokenOption = None,
    service_account: ServiceAccountOption = None,
    subject: SubjectOption = None,
) -> None:
    """List the calendars the signed-in account (or --subject) can read: Google's, or
    those of --source (microsoft, caldav)."""
    from .sources.options import calendars_from_options

    with user_errors():
        short = {"token": token, "service_account": service_account, "subject": subject}
        name, values = _source_values(
            source, source_option, {k: v for k, v in short.items() if v is not None}
        )
        from .visible import visible

        found, none = calendars_from_options(name or "google", values)
        if none:
            typer.echo(visible(none))  # it may quote the settings given
        for item in found:
            primary = " (primary)" if item.get("primary") else ""
            fields = (item.get("id", ""), item.get("accessRole", ""), item.get("summary", ""))
            typer.echo("\t".join(visible(str(f)) for f in fields) + primary)


@team_app.command("audit", short_help="Audit every rep; the roll-up ranks the gaps.")
def team_audit(
    config: ConfigOption,
    week: WeekOption = None,
    start: StartOption = None,
    end: EndOption = None,
    tz: TzOption = None,
    rep: RepOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FOLDER",
            help="Also write every report to this folder (HTML, Markdown...).",
        ),
    ] = None,
    db: DbOption = None,
    audience: AudienceOption = AudienceChoice.manager,
    fmt: Annotated[
        TeamFormat,
        typer.Option("--format", "-f", metavar=_choices(TeamFormat), help="Roll-up format."),
    ] = TeamFormat.table,
) -> None:
    """Audit every rep of the team and show the roll-up: reps and commitments ranked by
    their gap, with the change since last week.

    It records the week in the history (--db), as run does: auditing a week again
    replaces its rows. A --start/--end period is audited but not recorded."""
    from .config.load import load_team
    from .report.team_text import render_team_markdown, render_team_terminal
    from .team import weekly
    from .team.options import RunOptions

    with user_errors():
        team = load_team(config)
        with _progress(len(team.spec.reps) if rep is None else 1) as advance:
            options = RunOptions(
                week=week,
                start=start,
                end=end,
                tz=tz,
                only=rep,
                out=out,
                db=db,
                audience=audience.value,
                preview=False,
                on_done=advance,
            )
            run = weekly.run(team, options)
        if fmt is TeamFormat.markdown:
            typer.echo(render_team_markdown(run.team_report), nl=False)
        else:
            typer.echo(render_team_terminal(run.team_report, _options(True)), nl=False)
        for path in run.written:
            typer.echo(f"wrote {path}", err=True)
        _why(run)
        raise typer.Exit(int(run.exit_code))


@team_app.command("plan", short_help="Check every rep's week ahead.")
def team_plan(
    config: ConfigOption,
    week: AheadWeekOption = "next",
    tz: TzOption = None,
    rep: RepOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FOLDER",
            help="Also write the week-ahead pages to this folder (each rep's "
            "REP-week-ahead.html, and next-week.md, .json, .csv).",
        ),
    ] = None,
    db: DbOption = None,
    audience: AudienceOption = AudienceChoice.manager,
    fmt: Annotated[
        TeamFormat,
        typer.Option("--format", "-f", metavar=_choices(TeamFormat), help="Output format."),
    ] = TeamFormat.table,
) -> None:
    """Check every rep's week ahead (next week by default): per commitment how many reps
    have it blocked out already, and each rep's figures.

    It keeps each week ahead in the history (--db), as run does."""
    from .config.load import load_team
    from .team.ahead import plan_team

    with user_errors():
        team = load_team(config)
        done = plan_team(team, week=week, only=rep, tz=tz, out=out, db=db, audience=audience.value)
        typer.echo(done.render(fmt.value), nl=False)
        for path in done.written:
            typer.echo(f"wrote {path}", err=True)
        failed = [o.member.email for o in done.outcomes if o.result is None]
        if failed:
            typer.echo(
                f"routine-audit: exit {int(done.exit_code)}: failed: {', '.join(failed)}", err=True
            )
        raise typer.Exit(int(done.exit_code))


@app.command("run", short_help="For cron: audit, plan ahead, write and mail for every rep.")
def scheduled_run(
    config: ConfigOption,
    week: WeekOption = None,
    rep: RepOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FOLDER",
            help="Reports folder (default: a folder named after the ISO week, e.g. 2026-W47, "
            "in the team's output_dir).",
        ),
    ] = None,
    db: DbOption = None,
    log: Annotated[
        Path | None,
        typer.Option(
            "--log", metavar="FILE", help="Append the log lines to this file, not stderr."
        ),
    ] = None,
    mail: Annotated[
        bool, typer.Option("--mail/--no-mail", help="Send the mail set up in the team file.")
    ] = True,
    resend: Annotated[bool, typer.Option("--resend", help="Send this week's mail again.")] = False,
) -> None:
    """For cron: audit last week for every rep, check the week ahead, write dated
    reports, record the history, mail them once, and exit. Never prompts.

    Exit codes: 0 all reps audited; 1 some reps failed, had input skipped or no calendar
    data, or some mail was not sent (reports were written; the last line on stderr and in
    the log says which); 2 configuration or usage error; 3 no rep could be audited.
    With --rep, only that rep is audited and mailed; the roll-up shows the whole team
    from the week's history."""
    from .config.load import load_team
    from .team.options import RunOptions
    from .team.preflight import writable_file
    from .team.scheduled import run_scheduled

    with user_errors():
        if log is not None:
            writable_file(log, "log file")  # cron keeps only the log: it must take lines
    write_log = _logger(log)
    with user_errors(also=None if log is None else write_log):
        team = load_team(config)
        options = RunOptions(
            week=week,
            only=rep,
            out=out,
            db=db,
            audience="manager",
            mail=mail,
            resend=resend,
            whole_team=True,
            log=write_log,
        )
        run = run_scheduled(team, options)
        _why(run, also=None if log is None else write_log)
        write_log(run.summary())
        raise typer.Exit(int(run.exit_code))


def _why(run, also: Callable[[str], None] | None = None) -> None:
    """A team run that does not exit 0 says why in one line: on stderr, and in ``also``
    (the log)."""
    line = run.exit_line()
    if line is None:
        return
    typer.echo(line, err=True)
    if also is not None:
        also(line)


class HistoryFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command("history")
def history_command(
    rep: Annotated[
        str | None,
        typer.Option("--rep", metavar="EMAIL", help="One rep's commitments (else the team)."),
    ] = None,
    weeks: Annotated[
        int, typer.Option("--weeks", metavar="N", help="How many calendar weeks, to the latest.")
    ] = 8,
    commitment: Annotated[
        str | None,
        typer.Option("--commitment", metavar="ID", help="Only this commitment."),
    ] = None,
    fmt: Annotated[
        HistoryFormat,
        typer.Option("--format", "-f", metavar=_choices(HistoryFormat), help="Output format."),
    ] = HistoryFormat.table,
    db: DbOption = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", metavar="FILE", help="The team file (its reps, name and db: setting)."
        ),
    ] = None,
) -> None:
    """Show trends from the history. With --config and no --rep: the team as reps x
    weeks (overall adherence, or --commitment's). With --rep: one rep's commitments x
    weeks, with rolling 4-, 8- and 12-week adherence and survival, streaks of weeks met
    and the weekdays that fail most. Weeks without calendar data are gaps, never 0%."""
    from .errors import UsageError
    from .history import History, default_db_path
    from .report.trends_text import render_rep_trends, render_team_trends
    from .trends import rep_trends, team_trends

    with user_errors():
        if weeks < 1:
            raise UsageError(f"--weeks must be at least 1, not {weeks}")
        if weeks > HISTORY_MOST_WEEKS:  # beyond it, weeks before year 1 or after 9999
            raise UsageError(f"--weeks must be at most {HISTORY_MOST_WEEKS:,}, not {weeks:,}")
        team = None
        if config is not None:
            from .config.load import load_team

            team = load_team(config)
        if rep is None and team is None:
            raise UsageError(
                "whose history?", hint="give --rep EMAIL, or --config TEAM for the whole team"
            )
        path = db or (team.db_path if team is not None else None) or default_db_path()
        with History(path, create=False) as history:
            name = team.name if team is not None else None
            if rep is None:
                assert team is not None
                members = [(m.email, m.name) for m in team.spec.reps]
                found = team_trends(history, members, weeks=weeks, team=name, commitment=commitment)
                if not found.weeks:
                    typer.echo(f"no history for the team {team.name} in {path}")
                    return
                _known_commitment(commitment, found.known, path)
                text = render_team_trends(found, team.name, fmt.value, _options(True))
            else:
                rep = _known_rep(rep, history.reps(), path)
                mine = rep_trends(history, rep, weeks=weeks, team=name, commitment=commitment)
                if not mine.known:
                    typer.echo(f"no history for {rep} in the last {weeks} weeks of {path}")
                    return
                _known_commitment(commitment, mine.known, path)
                text = render_rep_trends(mine, fmt.value, _options(True))
        typer.echo(text, nl=False)


def _known_commitment(commitment: str | None, known: tuple[str, ...], path: Path) -> None:
    """A --commitment the weeks shown never judged is a usage error naming those they did."""
    from .errors import Location, UsageError

    if commitment is None or commitment in known:
        return
    raise UsageError(
        f"no commitment {commitment!r} in these weeks",
        where=Location(path),
        hint=f"it knows {', '.join(known) or 'none'}; check --commitment",
    )


# -- the 1:1 agenda and what we agreed (issue 22) -------------------------------------


class AgendaFormat(StrEnum):
    markdown = "markdown"
    html = "html"


@app.command("agenda", short_help="A rep's 1:1 agenda for the manager.")
def agenda_command(
    config: ConfigOption,
    rep: Annotated[str, typer.Option("--rep", metavar="EMAIL", help="The rep of the 1:1.")],
    week: WeekOption = None,
    db: DbOption = None,
    fmt: Annotated[
        AgendaFormat,
        typer.Option("--format", "-f", metavar=_choices(AgendaFormat), help="Output format."),
    ] = AgendaFormat.markdown,
    output: OutputOption = None,
) -> None:
    """The 1:1 agenda of a rep's week (last week by default), for the manager: how the
    rep wants to be held to it, wins, what was agreed and how it went, plan vs survived,
    the top gaps, questions, next week's readiness and proposals, space for notes.

    \b
    Example:
      routine-audit agenda --config team.yaml --rep dana@northwind.example -f html -o dana.html"""
    from .config.load import load_team
    from .report.agenda_render import AGENDA_FORMATS
    from .team.agendas import agenda_for

    with user_errors():
        agenda = agenda_for(load_team(config), rep, week=week, db=db)
        _emit(AGENDA_FORMATS[fmt.value](agenda), output)


@app.command("agree", cls=_PlainArguments, short_help="Record an action agreed in the 1:1.")
def agree_command(
    text: Annotated[
        str | None,
        typer.Argument(metavar="TEXT", help="The action, in the words agreed.", show_default=False),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", metavar="FILE", help="The team file (YAML, kind: team)."),
    ] = None,
    rep: Annotated[
        str | None, typer.Option("--rep", metavar="EMAIL", help="The rep who agreed it.")
    ] = None,
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            metavar="WEEK",
            help="The week it is for: ISO week, or last, this, next. Default: the coming "
            "week (the one after last week).",
        ),
    ] = None,
    commitment: Annotated[
        str | None,
        typer.Option("--commitment", metavar="ID", help="The commitment it is about."),
    ] = None,
    listing: Annotated[
        bool, typer.Option("--list", help="List the agreed actions (of --rep) instead.")
    ] = False,
    done: Annotated[
        int | None, typer.Option("--done", metavar="ID", help="Mark action ID done.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Record what rep and manager agreed in the 1:1 (the next agenda opens with it);
    --list shows the actions, --done ID marks one done.

    \b
    Examples:
      routine-audit agree --config team.yaml --rep dana@northwind.example \\
          --commitment prospecting "Block Tuesday mornings before any call"
      routine-audit agree --list --config team.yaml
      routine-audit agree --done 3 --config team.yaml"""
    from .agreed import agree, agreed_actions, mark_done
    from .config.load import load_team
    from .errors import UsageError
    from .history import History, default_db_path
    from .report.agenda_view import agreed_row

    with user_errors():
        if config is None:
            raise UsageError("no team file given", hint="pass --config team.yaml")
        modes = [text is not None, listing, done is not None]
        if sum(modes) != 1:
            raise UsageError(
                "give the action's TEXT, or --list, or --done ID (one of them)",
                hint='e.g. agree --config team.yaml --rep EMAIL "Block Tuesday mornings"',
            )
        team = load_team(config)
        path = db or team.db_path or default_db_path()
        if done is not None:
            with History(path, create=False) as history:
                mark_done(history, done)
            typer.echo(f"action #{done} marked done")
            return
        if listing:
            with History(path, create=False) as history:
                member = None if rep is None else _team_member(team, rep)
                actions = agreed_actions(
                    history, team=team.name, rep=None if member is None else member.email
                )
            for action in actions:
                typer.echo(agreed_row(action))
            if not actions:
                typer.echo("no agreed actions yet")
            return
        if rep is None:
            raise UsageError("whose action is it?", hint="pass --rep EMAIL")
        assert text is not None
        with History(path) as history:
            action = agree(history, team, rep, text, week=week, commitment=commitment)
        typer.echo(f"agreed: {agreed_row(action)}")


def _team_member(team, rep: str):
    from .agreed import team_member

    return team_member(team, rep)


def _known_rep(rep: str, known: list[str], path: Path) -> str:
    """The history's spelling of ``rep`` (addresses match in any case); an address the
    history does not know is a usage error naming the ones it does."""
    from .errors import Location, UsageError

    match = next((k for k in known if k.casefold() == rep.casefold()), None)
    if match is not None:
        return match
    if not known:
        raise UsageError(
            "the history holds no audits yet",
            where=Location(path),
            hint="run `routine-audit run` or `team audit` first, or check --db",
        )
    raise UsageError(
        f"no history for {rep}",
        where=Location(path),
        hint=f"it knows {', '.join(known)}; check --rep",
    )


def _logger(path: Path | None):
    """One line per event: to stderr, or appended to ``path`` (cron keeps it)."""
    from .visible import visible

    if path is None:
        return lambda line: typer.echo(visible(line), err=True)

    def write(line: str) -> None:  # no control character reaches the log raw
        with path.open("a", encoding="utf-8") as stream:
            stream.write(visible(line) + "\n")

    return write


@contextmanager
def _progress(total: int) -> Iterator:
    """A progress bar on a terminal; nothing under cron."""
    if not sys.stderr.isatty():
        yield lambda outcome: None
        return
    from rich.progress import Progress

    # refreshed on each rep rather than by a timer thread: the audits run in forked
    # workers, and forking while another thread runs is not safe
    with Progress(transient=True, auto_refresh=False) as progress:
        task = progress.add_task("auditing reps", total=total)

        def advance(outcome) -> None:
            progress.advance(task)
            progress.refresh()

        progress.refresh()
        yield advance


def _audit_and_emit(
    renderer, fmt, output, audience, *audit_args, quality_section=True, history=None
):
    """The body shared by ``audit`` and ``events``: audit, render for the audience, emit.

    Without a data-quality section (``events``), its lines go to stderr. With a
    ``history`` (`audit --db`), the week is shown against the plan recorded there.
    """
    from .report import build_report

    result = _run_audit(*audit_args)
    plan = None
    if history is not None:
        from .history import History
        from .survival import own_review

        with History(history, create=False) as kept:
            plan = own_review(kept, result)
    report = build_report(result, audience.value, plan=plan)
    _emit(renderer(report, fmt, _options(fmt == "table" and output is None)), output)
    if not quality_section:
        for line in report.data_quality:
            typer.echo(f"routine-audit: data quality: {line}", err=True)
        _finish(result.incomplete, len(result.problems), "listed above")
    else:
        _finish(
            result.incomplete, len(result.problems), "the report's data-quality section lists them"
        )
    return result


def _no_data(result) -> None:
    """A week without calendar data is not judged: say so, and exit 1."""
    if result.no_data:
        typer.echo(
            f"routine-audit: warning: {result.rep.email}: no calendar data in "
            f"{result.period.name} ({result.coverage.status.value}, "
            f"{result.coverage.newest_text()}); nothing was judged",
            err=True,
        )
        raise typer.Exit(int(ExitCode.PARTIAL))


def _source(source, source_option, ics, google, calendar, token, service_account, subject):
    """The calendar to read: .ics locations, or a source opened from ``--source`` and its
    ``--source-option`` pairs, or from the short forms (``--google`` and its options)."""
    from .errors import UsageError
    from .sources.options import open_from_options

    wants_google = google or service_account is not None
    if source is None:
        if ics and wants_google:
            raise UsageError("give either --ics or --google/--service-account, not both")
        if not ics and not wants_google:
            raise UsageError(
                "no calendar given",
                hint="pass --ics FILE, FOLDER or URL, --google, or --source NAME",
            )
        if ics:
            if calendar or token or subject:
                raise UsageError("--calendar, --token and --subject go with --google")
            if source_option:
                raise UsageError("--source-option goes with --source")
            return ics
    elif ics or wants_google or calendar or token or subject:
        raise UsageError(
            "give either --source or its short forms (--ics, --google), not both",
            hint=f"e.g. --source {source} --source-option KEY=VALUE",
        )
    google_options = {
        "id": calendar, "token": token, "service_account": service_account, "subject": subject,
    }  # fmt: skip
    name, values = _source_values(
        source or "google",
        source_option,
        {k: v for k, v in google_options.items() if v is not None},
    )
    return open_from_options(name, values)


def _source_values(source, source_option, short: dict) -> tuple:
    """The source's name and settings: ``--source-option`` pairs, or the short forms'."""
    from .errors import UsageError
    from .sources.options import option_values

    if source_option and source is None:
        raise UsageError("--source-option goes with --source")
    if source_option and short:
        raise UsageError("give the settings either as --source-option or as short forms")
    return source, (option_values(source_option) if source_option else short)


def _run_audit(source, routine, rules, week, start, end, tz):
    from .config import load_routine, rules_for
    from .config.check import placeholder_warnings
    from .pipeline import audit_calendar, period_for

    routine_model = load_routine(routine)
    for warning in placeholder_warnings(routine_model):
        typer.echo(f"routine-audit: warning: {routine}: {warning}", err=True)
    rule_set = rules_for(routine_model, rules)
    period = period_for(routine_model, tz=tz, week=week, start=start, end=end)
    return audit_calendar(source, routine_model, rule_set, period)


def _options(terminal: bool):
    from .report import RenderOptions

    color = terminal and sys.stdout.isatty()
    return RenderOptions(color=color)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    from .atomic import write_text_atomic

    write_text_atomic(output, text)
    typer.echo(f"wrote {output}", err=True)


def _finish(incomplete: bool, problems: int, listed: str) -> None:
    if incomplete:
        typer.echo(
            "routine-audit: warning: some calendar input could not be read "
            f"({count_text(problems, 'problem')}); {listed}",
            err=True,
        )
        raise typer.Exit(int(ExitCode.PARTIAL))


def main() -> None:
    """Console-script entry point."""
    app(prog_name="routine-audit")
