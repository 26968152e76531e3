"""``rules check`` as one library call: validate files, cross-check them, and (online)
read every team member's calendar once.

Each file is validated on its own (every problem of a file is listed); a routine is
then checked against its rules (its ``rules:`` file, else a rule file among those
checked, else the shipped defaults), and a team file for old forms and unset mail
variables. What the check finds comes as lines, in order, as they are found.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigFileError, ExitCode, RoutineAuditError

LEVELS = ("ok", "note", "warning", "error")  # "ok" lines are the results; the rest, notices


@dataclass(frozen=True)
class CheckLine:
    """One line of a check, e.g. ``warning: team.yaml: ...`` (``str(line)``).

    ``names`` are the parameters the text names in backquotes, in the library's words
    (`online`); a front end words them its own way (``worded``), as with ``UserError``.
    """

    level: str  # one of LEVELS
    text: str
    names: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.level}: {self.text}"

    def worded(self, flag: Callable[[str], str]) -> CheckLine:
        """This line with each of ``names`` written as ``flag(name)`` (e.g. --online)."""
        text = self.text
        for name in self.names:
            text = text.replace(f"`{name}`", flag(name))
        return CheckLine(self.level, text)


@dataclass
class CheckResult:
    """The check's lines, and what they add up to."""

    lines: list[CheckLine] = field(default_factory=list)
    invalid: bool = False  # a file (or one rep's files) has an error
    unreadable: bool = False  # online: a calendar could not be read

    @property
    def exit_code(self) -> ExitCode:
        """2 when a file is invalid; else 1 when a calendar is unreadable; else 0."""
        if self.invalid:
            return ExitCode.USAGE
        return ExitCode.PARTIAL if self.unreadable else ExitCode.OK


def check_files(
    files: Sequence[Path],
    *,
    online: bool = False,
    emit: Callable[[CheckLine], None] | None = None,
) -> CheckResult:
    """Check ``files`` (routines, rule files, team files); ``emit`` takes each line as
    it is found (a ``RoutineAuditError`` while reading calendars online still leaves
    the lines before it said)."""
    from .config import Routine, RuleSet, check_file, load_rules, rules_path_for
    from .config import unassigned_activities as unassigned
    from .config.check import describe, old_form_warnings, placeholder_warnings
    from .config.team import Team

    result = CheckResult()

    def say(level: str, text: str, names: tuple[str, ...] = ()) -> None:
        line = CheckLine(level, text, names)
        result.lines.append(line)
        if emit is not None:
            emit(line)

    checked = []
    for file in files:
        try:
            model = check_file(file)
        except RoutineAuditError as exc:
            for problem in _each_problem(exc):
                say("error", str(problem))
            result.invalid = True
            continue
        problems = model.problems if isinstance(model, Team) else {}
        for email, problem in problems.items():  # one rep's files: that rep would fail a run
            for each in _each_problem(problem):
                say("error", f"{file}: {email}: {each}")
        result.invalid = result.invalid or bool(problems)
        checked.append((file, model))
        if not problems:
            say("ok", f"{file} ({describe(model)})")
    rule_sets = [m for _, m in checked if isinstance(m, RuleSet)]
    given = rule_sets[0] if rule_sets else load_rules()
    for file, model in checked:
        if isinstance(model, Routine):
            named = rules_path_for(model)  # checked (it exists) with the routine
            rules = given if named is None else load_rules(named)
            for warning in [*placeholder_warnings(model), *unassigned(model, rules)]:
                say("warning", f"{file}: {warning}")
        if isinstance(model, Team):
            mail = model.spec.mail
            for warning in [*old_form_warnings(model), *(mail.missing_variables() if mail else [])]:
                say("warning", f"{file}: {warning}")
            for member in model.spec.reps:  # a calendar's password variable, as mail's
                entry = member.calendar
                for warning in entry.source_class.missing_variables(entry.settings):
                    say("warning", f"{file}: {member.email}: {warning}")
            for warning in sorted(
                {w for m in model.spec.reps if (w := m.calendar.source_class.missing_package())}
            ):  # once per team file: every such rep would fail
                say("warning", f"{file}: {warning}")
    if online:
        teams = [(file, model) for file, model in checked if isinstance(model, Team)]
        if not teams and not result.invalid:  # a team file with errors says why itself
            say("note", "`online` reads calendars of team files only", ("online",))
        unreadable = [_read_calendars(file, team, say) for file, team in teams]
        result.unreadable = any(unreadable)
    return result


def _each_problem(exc: RoutineAuditError) -> tuple[RoutineAuditError, ...]:
    """Every problem an error stands for: all of a file's (the check lists them)."""
    return exc.problems if isinstance(exc, ConfigFileError) else (exc,)


def _read_calendars(file: Path, team, say: Callable[[str, str], None]) -> bool:
    """Read each rep's calendar once; one line per rep; True if any could not be read."""
    from .team.online import check_calendars

    outcomes = check_calendars(team)
    for outcome in outcomes:
        who = outcome.member.email
        if who in team.problems:
            continue  # reported with the file already
        if outcome.ok and outcome.result is not None and outcome.result.no_data:
            newest = outcome.result.coverage.newest_text()
            say("warning", f"{file}: {who}: no events in the last four weeks ({newest})")
        elif outcome.ok:
            say("ok", f"{file}: {who}: calendar read")
        else:
            say("error", f"{file}: {who}: {outcome.error}")
    return not all(outcome.ok for outcome in outcomes)
