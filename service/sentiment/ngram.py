"""N-gram featurisation shared by training and inference, so both see identical features."""

import itertools
import re
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import Any

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
_EMOTICON_ZH = re.compile(r"\[[^\[\]\s]{1,8}\]")
_WORD_EN = re.compile(r"[a-z0-9']+|[!?]+|[:;=][\-']?[()dpo/\\|]|<3|#\w+|[\U0001F300-\U0001FAFF]")


def detect_lang(text: str) -> str:
    """Guess zh or en: Chinese when a tenth or more of the non-space characters are CJK."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return "en"
    cjk = sum(1 for c in chars if _CJK.match(c))
    return "zh" if cjk / len(chars) >= 0.1 else "en"


def zh_features(text: str) -> list[str]:
    """Character 1-3 grams plus whole Weibo-style emoticons such as [泪]."""
    norm = unicodedata.normalize("NFKC", text).lower()
    norm = _URL.sub("U", norm)
    feats = [f"e:{m}" for m in _EMOTICON_ZH.findall(norm)]
    chars = [c for c in norm if not c.isspace()]
    for n in (1, 2, 3):
        feats.extend("".join(chars[i : i + n]) for i in range(len(chars) - n + 1))
    return feats


@cache
def _jieba() -> Any:
    import logging

    import jieba  # type: ignore[import-untyped]

    # jieba logs its dictionary load at DEBUG through its own handler; keep service logs clean.
    jieba.setLogLevel(logging.WARNING)
    return jieba


def zh_words(text: str) -> list[str]:
    """jieba words and word bigrams: 不好吃 / 太慢 read as units that char n-grams split."""
    norm = unicodedata.normalize("NFKC", text).lower()
    words = [w for w in _jieba().lcut(_URL.sub("U", norm)) if w.strip()]
    return [f"w:{w}" for w in words] + [f"b:{a}|{b}" for a, b in itertools.pairwise(words)]


def zh_word_features(text: str) -> list[str]:
    """Character 1-3 grams and emoticons (`zh_features`) plus jieba words and word bigrams."""
    return zh_features(text) + zh_words(text)


@cache
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def vader_tokens(text: str) -> list[str]:
    """VADER's compound score as pseudo-words, so the network can weigh the lexicon's opinion."""
    compound = float(_vader().polarity_scores(text)["compound"])
    bucket = min(7, int((compound + 1.0) * 4))
    coarse = "pos" if compound >= 0.05 else "neg" if compound <= -0.05 else "neu"
    # Repeated so that, after sublinear TF, the lexicon's vote is not drowned by n-grams.
    return [f"v:{bucket}", f"v:{coarse}", f"v:{coarse}", f"v:{coarse}"]


def en_features(text: str) -> list[str]:
    """Word 1-2 grams, character 2-5 grams inside words, and VADER's vote."""
    norm = unicodedata.normalize("NFKC", text).lower()
    norm = _MENTION.sub(" @user ", _URL.sub(" httpurl ", norm))
    words = _WORD_EN.findall(norm)
    feats = [f"w:{w}" for w in words]
    feats.extend(f"b:{a} {b}" for a, b in itertools.pairwise(words))
    for word in words:
        padded = f" {word} "
        for n in (2, 3, 4, 5):
            feats.extend(f"c:{padded[i : i + n]}" for i in range(len(padded) - n + 1))
    feats.extend(vader_tokens(text))
    return feats


ANALYZERS: dict[str, Callable[[str], list[str]]] = {"zh": zh_features, "en": en_features}
# Named featurisations a network may declare (its npz `analyzer`); a language code names the
# original one, so networks written before the name existed still load with their features.
FEATURIZERS: dict[str, Callable[[str], list[str]]] = ANALYZERS | {"zh-words": zh_word_features}
