"""Turning a robot recipient's address into the URL to post to, under the vendor's base URL."""

import httpx


class AddressError(ValueError):
    """The recipient's address is not a URL of the vendor this adapter serves."""


def robot_url(address: str, base: str, token_param: str | None = None) -> httpx.URL:
    """The full robot URL: `address` itself when it lies under `base`, else `address` taken as
    the bare key/token (a query parameter `token_param`, or a path under `base`)."""
    base_url = httpx.URL(base)
    address = address.strip()
    if address.startswith(("http://", "https://")):
        try:
            url = httpx.URL(address)
        except httpx.InvalidURL as exc:
            raise AddressError("recipient address is not a valid URL") from exc
        # Same scheme, host and port, and a path under the base path: a robot token is never
        # posted to an unexpected host.
        if (
            url.scheme != base_url.scheme
            or url.host != base_url.host
            or url.port != base_url.port
            or not url.path.startswith(base_url.path)
            or url.userinfo
        ):
            raise AddressError("recipient address is not under the configured vendor base URL")
        return url
    if not address or any(ch in address for ch in "?#&=%@ \t\r\n") or ".." in address:
        raise AddressError("recipient address is neither a robot URL nor a bare token")
    if token_param is not None:
        return base_url.copy_merge_params({token_param: address})
    return httpx.URL(base.rstrip("/") + "/" + address.lstrip("/"))
