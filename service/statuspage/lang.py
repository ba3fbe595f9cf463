"""Which language a public reader gets: `?lang=`, else Accept-Language, else the page default."""

from service.domain.enums import Language


def _accepted(header: str) -> list[tuple[float, int, str]]:
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            # Higher quality first; ties keep the header's order.
            ranked.append((-quality, position, tag.strip().lower()))
    return sorted(ranked)


def choose(query: str | None, accept_language: str | None, default: Language) -> Language:
    """The reader's language among zh and en."""
    if query in {lang.value for lang in Language}:
        return Language(query)
    for _, _, tag in _accepted(accept_language or ""):
        primary = tag.split("-")[0]
        if primary in {lang.value for lang in Language}:
            return Language(primary)
    return default


def other(lang: Language) -> Language:
    """The fallback language when an update has no rendition in `lang`."""
    return Language.en if lang is Language.zh else Language.zh
