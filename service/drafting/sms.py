"""SMS segment arithmetic: GSM-7 160/153 septets, UCS-2 70/67 characters (3GPP TS 23.038)."""

import math

_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXT = frozenset("^{}\\[~]|€\f")


def is_gsm7(text: str) -> bool:
    """Whether every character fits the GSM-7 alphabet (basic or extension table)."""
    return all(ch in _GSM_BASIC or ch in _GSM_EXT for ch in text)


def segments(text: str) -> int:
    """How many SMS segments the text takes."""
    if is_gsm7(text):
        units = sum(2 if ch in _GSM_EXT else 1 for ch in text)
        return 1 if units <= 160 else math.ceil(units / 153)
    units = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
    return 1 if units <= 70 else math.ceil(units / 67)
