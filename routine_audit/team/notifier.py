"""How a team run's messages travel: the ``Notifier`` interface (``notify.SmtpNotifier``
is the one shipped; a chat webhook would be one more class with the same ``send``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..mail import Message


class Notifier(Protocol):
    """Delivers a batch of messages; each comes back with ``None`` (sent) or a one-line
    error, and ``on_sent(message)`` runs the moment one is delivered (it is recorded
    then, so a killed run never sends it twice). An error goes to the run's log and to
    the manager's summary, filtered as server text is: it must not quote a message.

    A run given a notifier (``RunOptions.notifier``) needs no `mail:` section; the
    section, when there is one, still says who gets what."""

    def send(
        self, messages: Sequence[Message], *, on_sent: Callable[[Message], None]
    ) -> list[tuple[Message, str | None]]: ...
