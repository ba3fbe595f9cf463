"""`InMemoryPublisher`: the fake beside the `Publisher` port, for the worker's and API's tests."""

from collections import deque
from collections.abc import Iterable

from service.channels.model import ChannelName, Message, Outcome, Receipt


def _receipt(item: Receipt | Outcome) -> Receipt:
    return item if isinstance(item, Receipt) else Receipt(outcome=item, detail="scripted")


class InMemoryPublisher:
    """Records every message; answers with scripted receipts in order, then `delivered`."""

    def __init__(self, channel: ChannelName, script: Iterable[Receipt | Outcome] = ()) -> None:
        self.channel = channel
        self.sent: list[Message] = []
        self._script: deque[Receipt] = deque(_receipt(item) for item in script)

    def then(self, *items: Receipt | Outcome) -> "InMemoryPublisher":
        """Append more scripted answers (chainable)."""
        self._script.extend(_receipt(item) for item in items)
        return self

    async def publish(self, message: Message) -> Receipt:
        """Record the message and return the next scripted receipt (default: delivered)."""
        if message.channel != self.channel:
            # A routing bug in the caller, not a delivery outcome: fail loudly.
            raise ValueError(f"{message.channel} message given to the {self.channel} publisher")
        self.sent.append(message)
        if self._script:
            return self._script.popleft()
        return Receipt(
            outcome=Outcome.delivered, provider_message_id=f"fake-{len(self.sent)}", detail="fake"
        )
