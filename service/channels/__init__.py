"""Delivery channels: one `Publisher` port, a fake, and an adapter per external vendor."""

from service.channels.config import ChannelsConfig, HttpConfig, SmsConfig, SmtpConfig, VendorUrls
from service.channels.fake import InMemoryPublisher
from service.channels.model import ChannelName, Message, Outcome, Receipt, Recipient
from service.channels.port import Publisher
from service.channels.registry import build_publishers
from service.channels.transport import make_client

__all__ = [
    "ChannelName",
    "ChannelsConfig",
    "HttpConfig",
    "InMemoryPublisher",
    "Message",
    "Outcome",
    "Publisher",
    "Receipt",
    "Recipient",
    "SmsConfig",
    "SmtpConfig",
    "VendorUrls",
    "build_publishers",
    "make_client",
]
