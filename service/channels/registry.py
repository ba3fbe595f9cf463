"""Building every external publisher from `ChannelsConfig`, around one shared HTTP client."""

import httpx

from service.channels.config import ChannelsConfig
from service.channels.dingtalk import DingTalkPublisher
from service.channels.email import SmtpPublisher
from service.channels.feishu import FeishuPublisher
from service.channels.logs import install_redaction
from service.channels.model import ChannelName
from service.channels.port import Publisher
from service.channels.slack import SlackPublisher
from service.channels.sms import HttpSmsPublisher
from service.channels.transport import make_client, timeout_of
from service.channels.webhook import SignedWebhookPublisher
from service.channels.wecom import WeComPublisher


def build_publishers(
    config: ChannelsConfig, *, client: httpx.AsyncClient | None = None
) -> dict[ChannelName, Publisher]:
    """Every configured external channel (email and SMS only when configured).

    Pass the app's client (made once in `lifespan` with `make_client`, closed on shutdown);
    without one a client is made here and lives as long as the publishers. The status page
    channel is not here: it writes to the database."""
    install_redaction()
    http = client if client is not None else make_client(config.http)
    timeout = timeout_of(config.http.timeout_s, config.http.connect_timeout_s)
    urls = config.urls
    publishers: dict[ChannelName, Publisher] = {
        ChannelName.webhook: SignedWebhookPublisher(http, timeout=timeout),
        ChannelName.wecom: WeComPublisher(http, base_url=urls.wecom, timeout=timeout),
        ChannelName.dingtalk: DingTalkPublisher(http, base_url=urls.dingtalk, timeout=timeout),
        ChannelName.feishu: FeishuPublisher(
            http, base_url=urls.feishu, timeout=timeout, msg_type=config.feishu_msg_type
        ),
        ChannelName.slack: SlackPublisher(http, base_url=urls.slack, timeout=timeout),
    }
    if config.smtp is not None:
        publishers[ChannelName.email] = SmtpPublisher(config.smtp)
    if config.sms is not None:
        publishers[ChannelName.sms] = HttpSmsPublisher(http, config.sms)
    return publishers
