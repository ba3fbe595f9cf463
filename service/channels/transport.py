"""One POST over the shared httpx client, and the HTTP-level half of outcome classification."""

import email.utils
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from service.channels.config import HttpConfig
from service.channels.logs import install_redaction
from service.channels.model import Outcome, Receipt

# Statuses that say "later": request timeout, too early, rate limited, and every 5xx.
_TRANSIENT = {408, 425, 429}


@dataclass(frozen=True)
class HttpReply:
    """What came back: status, headers and the (small) body."""

    status: int
    headers: httpx.Headers
    body: bytes

    def json(self) -> Any:
        """The body as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:  # includes JSONDecodeError and UnicodeDecodeError
            return None


def make_client(config: HttpConfig) -> httpx.AsyncClient:
    """The shared client: explicit timeouts, no redirects (a robot URL that redirects is wrong)."""
    return httpx.AsyncClient(
        timeout=timeout_of(config.timeout_s, config.connect_timeout_s),
        follow_redirects=False,
        headers={"User-Agent": config.user_agent},
    )


def timeout_of(total_s: float, connect_s: float) -> httpx.Timeout:
    """An httpx timeout with every phase bounded."""
    return httpx.Timeout(total_s, connect=min(connect_s, total_s))


async def post(
    client: httpx.AsyncClient,
    url: str | httpx.URL,
    *,
    content: bytes,
    headers: dict[str, str],
    timeout: httpx.Timeout,
) -> HttpReply | Receipt:
    """POST once; a transport failure comes back as a classified receipt, never an exception."""
    install_redaction()  # whoever built the client, httpx's request log must not print tokens
    try:
        response = await client.post(url, content=content, headers=headers, timeout=timeout)
    except httpx.UnsupportedProtocol:
        return Receipt(outcome=Outcome.failed, detail="unsupported URL scheme")
    except httpx.TimeoutException as exc:
        return Receipt(outcome=Outcome.retry, detail=f"timeout ({type(exc).__name__})")
    except httpx.HTTPError as exc:
        # Connection refused/reset, protocol errors: worth another try. The exception text is
        # not used: it can contain the URL.
        return Receipt(outcome=Outcome.retry, detail=f"transport error ({type(exc).__name__})")
    except httpx.InvalidURL:
        return Receipt(outcome=Outcome.failed, detail="invalid URL")
    return HttpReply(status=response.status_code, headers=response.headers, body=response.content)


def retry_after(headers: httpx.Headers, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date), if present and sane."""
    raw = headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def classify_status(reply: HttpReply) -> Receipt | None:
    """A receipt for a non-2xx reply; None when the vendor body decides (2xx)."""
    if 200 <= reply.status < 300:
        return None
    if reply.status in _TRANSIENT or reply.status >= 500:
        return Receipt(
            outcome=Outcome.retry,
            status_code=reply.status,
            detail=f"HTTP {reply.status}",
            retry_after_s=retry_after(reply.headers),
        )
    if 300 <= reply.status < 400:
        return Receipt(
            outcome=Outcome.failed, status_code=reply.status, detail="redirect not followed"
        )
    return Receipt(outcome=Outcome.failed, status_code=reply.status, detail=f"HTTP {reply.status}")
