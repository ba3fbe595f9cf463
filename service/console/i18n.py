"""Interface strings in zh and en, kept as data in strings.yaml; the reader's choice in a cookie."""

from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path

import yaml
from fastapi import Request

from service.domain.enums import Language
from service.errors import ConfigError

STRINGS_PATH = Path(__file__).with_name("strings.yaml")
LANG_COOKIE = "herald_lang"
# The `lang` attribute for each interface language (screen readers pick a voice from it).
HTML_LANG: dict[Language, str] = {Language.zh: "zh-CN", Language.en: "en"}

Translate = Callable[..., str]


@lru_cache(maxsize=1)
def strings() -> Mapping[str, Mapping[str, str]]:
    """Every key with its zh and en text; a key missing either language fails at load."""
    data = yaml.safe_load(STRINGS_PATH.read_text(encoding="utf-8"))
    missing = [
        key
        for key, texts in data.items()
        if not isinstance(texts, dict) or {lang.value for lang in Language} - set(texts)
    ]
    if missing:
        raise ConfigError(f"{STRINGS_PATH}: keys without both zh and en: {', '.join(missing)}")
    return {str(k): {str(lang): str(text) for lang, text in v.items()} for k, v in data.items()}


def pick(request: Request) -> Language:
    """The cookie's language, else the first of Accept-Language that we have, else English."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in {lang.value for lang in Language}:
        return Language(chosen)
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return Language.zh
        if tag.startswith("en"):
            return Language.en
    return Language.en


def translator(lang: Language) -> Translate:
    """`t(key, **values)`: the string in `lang`, formatted; an unknown key shows as itself."""
    table = strings()

    def t(key: str, **values: object) -> str:
        texts = table.get(key)
        text = texts[lang.value] if texts else key
        return text.format(**values) if values else text

    return t
