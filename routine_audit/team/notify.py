"""A team run's notify stage: the week's mail, each sent once, through a ``Notifier``.

The messages (the manager's roll-up, each rep's own report) are made here; how they
travel is the notifier's job: ``SmtpNotifier`` today, a chat webhook later is one more
class with the same ``send``. What was sent is recorded in the history the moment it
went, so a run killed half-way never sends it again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..report import build_report, render
from ..report.team_text import render_team_markdown
from ..visible import for_manager
from .notifier import Notifier as Notifier  # where callers found it first
from .pages import default_folder, rep_file_stem

if TYPE_CHECKING:  # the mail module (smtplib, ssl) is imported when a run mails
    from ..config.team import MailSection, Team
    from ..mail import Links, MailSettings, Message
    from ..report.view import RepReport
    from .state import RunState, TeamRun


@dataclass(frozen=True)
class SmtpNotifier:
    """Mail over SMTP as the team file's ``mail:`` section sets it up."""

    settings: MailSettings

    @classmethod
    def for_team(cls, team: Team) -> SmtpNotifier:
        from ..mail import MailSettings

        section = team.spec.mail
        assert section is not None
        return cls(
            MailSettings(
                host=section.host,
                port=section.port,
                security=section.security,
                sender=section.sender,
                username_env=section.username_env,
                password_env=section.password_env,
            )
        )

    def send(
        self, messages: Sequence[Message], *, on_sent: Callable[[Message], None]
    ) -> list[tuple[Message, str | None]]:
        from ..mail import send

        return send(self.settings, messages, on_sent=on_sent)


def notify(state: RunState) -> None:
    """Send the week's mail (``options.mail``, with a history to remember it by); a run
    for one rep mails that rep alone. Failures land in ``run.mail_errors``."""
    options = state.options
    if not options.mail or state.history is None:
        return
    state.run.mail_errors = _mail(state, rollup=options.only is None)


def _mail(state: RunState, *, rollup: bool) -> list[str]:
    """Send each week's mail once (unless ``resend``); the one-line errors of what failed."""
    from ..mail import rep_message, rollup_message
    from ..report.html import render_team

    team, run, history, log = state.team, state.run, state.history, state.options.log
    section = team.spec.mail
    if section is None and state.options.notifier is None:
        return []  # nothing set up to deliver it
    notifier = state.options.notifier or SmtpNotifier.for_team(team)
    # who gets what: the team file's `mail:` section, else its defaults (another notifier
    # needs no SMTP section to be told whom the week's messages are for)
    to_manager, to_reps = _recipients(section)
    week = run.period.label
    pending: list[tuple[Message, str]] = []

    def due(recipient: str, kind: str) -> bool:
        if state.options.resend or not history.mail_sent(
            team=team.name, week=week, recipient=recipient, kind=kind
        ):
            return True
        log(f"mail to {recipient} ({kind}, {week}) was sent before; not sent again (--resend)")
        return False

    served = _served(team, run, log)
    manager = team.spec.manager
    if rollup and to_manager and manager is not None and due(manager.email, "rollup"):
        text, html = _with_ahead_rollup(
            state, render_team_markdown(run.team_report), render_team(run.team_report, {})
        )
        message = rollup_message(
            manager.email,
            f"{team.name}: routine audit {week}",
            text,
            html,
            _manager_links(run, served),
        )
        pending.append((message, "rollup"))
    if to_reps:
        for outcome in run.outcomes:
            email = outcome.member.email
            if outcome.result is None or not due(email, "rep"):
                continue
            own = build_report(outcome.result, "owner", trend=state.trend(outcome))
            text, html = _with_next_week(state, email, render(own, "markdown"), render(own, "html"))
            links = _rep_links(own, served)
            message = rep_message(email, week, own.coverage, text, html, links)
            pending.append((_with_proposals(state, message), "rep"))
    kinds = {id(message): kind for message, kind in pending}

    def sent(message: Message) -> None:
        # recorded the moment the server took it: a run killed later never sends it again
        kind = kinds[id(message)]
        history.mark_mail_sent(team=team.name, week=week, recipient=message.to, kind=kind)
        log(f"mail sent to {message.to}")

    errors = []
    results = notifier.send([message for message, _ in pending], on_sent=sent)
    for message, error in results:
        if error is not None:
            errors.append(f"{message.to}: {error}")
            log(f"mail to {message.to} FAILED: {for_manager(error, 'server text')}")
    return errors


def _recipients(section: MailSection | None) -> tuple[bool, bool]:
    """(the manager gets the roll-up, each rep their own report)."""
    if section is not None:
        return section.to_manager, section.to_reps
    from ..config.team import MailSection

    fields = MailSection.model_fields
    return fields["to_manager"].default, fields["to_reps"].default


# -- the week ahead in the week's mail (team/ahead.py) ------------------------------


def _with_next_week(state: RunState, email: str, text: str, html: str) -> tuple[str, str]:
    """A rep's mail with their "next week" section (their own view) after the report."""
    from ..report.ahead_html import next_week_html
    from ..report.ahead_text import next_week_markdown
    from .ahead import ahead_reports

    mine = [o for o in state.ahead if o.member.email == email and o.result is not None]
    if not mine:
        return text, html
    (report,) = ahead_reports(mine, "owner", state.proposals)
    return f"{text}\n{next_week_markdown(report)}", _before_main_end(html, next_week_html(report))


def _with_proposals(state: RunState, message: Message) -> Message:
    """The rep's mail with their proposals file attached (text/calendar), if any."""
    from dataclasses import replace

    from .proposals import proposal_attachment

    attached = proposal_attachment(state.proposals, message.to, state.options.now)
    return replace(message, attachments=message.attachments + attached) if attached else message


def _with_ahead_rollup(state: RunState, text: str, html: str) -> tuple[str, str]:
    """The manager's roll-up with the "next week" section: per commitment, how many reps
    have it blocked out already."""
    from .ahead import rollup_html, rollup_markdown, weeks_ahead

    aheads = weeks_ahead(state.ahead)
    if not aheads:
        return text, html
    week = aheads[0].period.name
    return (
        f"{text}\n{rollup_markdown(aheads, week)}",
        _before_main_end(html, rollup_html(aheads, week)),
    )


def _before_main_end(html: str, fragment: str) -> str:
    """``fragment`` at the end of the page's ``<main>``, before its footer (else at the end
    of its body, else after it)."""
    for tag in ("<footer", "</main>", "</body>"):
        at = html.rfind(tag)
        if at >= 0:
            return f"{html[:at]}{fragment}\n{html[at:]}"
    return html + fragment


def _served(team: Team, run: TeamRun, log: Callable[[str], None]) -> Callable[[str], str | None]:
    """The served address of a file this run wrote (None: not written, or no
    ``report_url``). The addresses are ``<report_url>/<ISO week>/<file>``, where the
    team's output_dir is served: a run told to write elsewhere (``--out``) says that
    its links may not match."""
    written = set(run.written)
    if team.spec.report_url is None or run.folder is None:
        return lambda name: None
    week = run.period.label
    expected = default_folder(team, run.period)
    folder = run.folder
    if folder.resolve() != expected.resolve():
        log(
            f"warning: report_url: the reports were written to {folder}, not {expected}; "
            f"the mail links to {team.page_url(week, 'index.html')}, which may not be them"
        )

    def url(name: str) -> str | None:
        return team.page_url(week, name) if folder / name in written else None

    return url


def _manager_links(run: TeamRun, served: Callable[[str], str | None]) -> Links:
    """The team page, then each rep's page (all manager-audience, as ``run`` writes them)."""
    from ..mail import Links

    pages = [("Team page", served("index.html"))]
    for report in run.team_report.reps:
        pages.append((report.rep.name or report.rep.email, served(f"{rep_file_stem(report)}.html")))
    return Links("The reports online:", tuple((n, u) for n, u in pages if u is not None))


def _rep_links(own: RepReport, served: Callable[[str], str | None]) -> Links:
    """The rep's own page and no other; it is written for the manager's eyes, and says so."""
    from ..mail import Links

    url = served(f"{rep_file_stem(own)}.html")
    pages = () if url is None else (("Your page", url),)
    return Links("Online, as your manager sees it:", pages)
