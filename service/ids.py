"""Opaque identifiers in Statuspage's style: short, lowercase, URL-safe."""

import base64
import secrets


def new_id() -> str:
    """A 16-character random id (80 bits), lowercase base32."""
    return base64.b32encode(secrets.token_bytes(10)).decode().lower()
