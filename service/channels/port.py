"""The one port every delivery channel implements."""

from typing import Protocol

from service.channels.model import ChannelName, Message, Receipt


class Publisher(Protocol):
    """Delivers one message to one recipient and says how it went; never raises for delivery."""

    channel: ChannelName

    async def publish(self, message: Message) -> Receipt:
        """Attempt delivery once; transient problems are `Outcome.retry`, not exceptions."""
        ...
