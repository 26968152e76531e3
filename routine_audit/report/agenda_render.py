"""The 1:1 agenda as Markdown and as an HTML page (``<rep>-agenda.md`` and ``.html`` in a
team run's folder; ``routine-audit agenda``). Both follow the conversation: how the rep
wants to be held to their commitments, wins, what we agreed, plan vs survived, the top
gaps, questions, next week, notes. Every text is escaped where it is written (agreed
actions and the accountability note are people's words; stories may name events)."""

from __future__ import annotations

from collections.abc import Callable

from .agenda_view import Agenda, action_line, since_text
from .markdown import escape

TITLE = "1:1 agenda"
NO_PROPOSALS = "No slots proposed (run proposes them for the week ahead's gaps)."
NOT_CHECKED = "The week ahead was not checked (run checks it; team audit does not)."


def sections(agenda: Agenda) -> list[tuple[str, list[str], list[tuple[str, list[str]]]]]:
    """The agenda's sections in order: (title, lines, sub-lists of (line, details))."""
    part = agenda.part
    held = agenda.accountability or "No note yet: ask how they want to be held to it."
    actions = [(action_line(a), [since_text(a)]) for a in agenda.actions]
    gaps = [(g.text, list(g.evidence)) for g in part.gaps]
    ahead = [*(agenda.readiness or ())] if agenda.readiness is not None else [NOT_CHECKED]
    proposals = (
        [NO_PROPOSALS]
        if agenda.proposals is None
        else list(agenda.proposals) or ["Nothing to propose: every commitment is blocked out."]
    )
    no_data = [] if part.judged else [f"No calendar data this week ({part.coverage})."]
    return [
        ("How they want to be held to it", [held], []),
        ("Wins", [*no_data, *(part.wins or ["None this week: look for one together."])], []),
        ("What we agreed", [] if actions else ["Nothing agreed for this week."], actions),
        ("Plan vs what survived", list(part.plan), []),
        ("The gaps", [] if gaps else ["No gap this week."], gaps),
        ("Questions", list(agenda.questions) or ["What will you commit to next week?"], []),
        ("Next week: readiness", ahead, []),
        ("Next week: proposals", proposals, []),
        ("What we agree for next week", ["(record each with: routine-audit agree)"], []),
        ("Notes", [""], []),
    ]


def render_markdown(agenda: Agenda) -> str:
    part = agenda.part
    lines = [
        f"# {escape(part.name)}: {TITLE} for {part.week}",
        "",
        f"- **Rep:** {escape(part.email)}",
        f"- **Week:** {part.period}",
        f"- **Calendar coverage:** {escape(part.coverage)}",
        "- **For:** the manager (the rep's own words at the top are theirs to you)",
        "",
    ]
    for title, items, nested in sections(agenda):
        lines += [f"## {title}", ""]
        lines += [f"- {escape(item)}" if item else "" for item in items]
        for head, details in nested:
            lines.append(f"- {escape(head)}")
            lines += [f"  - {escape(detail)}" for detail in details]
        lines.append("")
    return "\n".join(lines)


def render_html(agenda: Agenda) -> str:
    from .html import page

    part = agenda.part
    return page(
        "agenda.html.j2",
        title=f"{TITLE} {part.week}: {part.name}",
        part=part,
        heading=TITLE,
        sections=[
            {"title": title, "lines": items, "nested": nested, "id": _anchor(title)}
            for title, items, nested in sections(agenda)
        ],
    )


def _anchor(title: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in title.lower()).strip("-")


# format -> renderer, as the command's --format names them
AGENDA_FORMATS: dict[str, Callable[[Agenda], str]] = {
    "markdown": render_markdown,
    "html": render_html,
}
