"""The default `SentimentModel`: n-gram networks, plus the fine-tuned encoders when built."""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from service.sentiment.encoder import DEFAULT_DIRS, HEAD_FILE, EncoderClassifier
from service.sentiment.model import SentimentLabel, SentimentScore
from service.sentiment.ngram import detect_lang
from service.sentiment.ngramnet import NgramNetSentiment, to_score
from service.sentiment.port import SentimentModel

log = logging.getLogger(__name__)


class ProbaModel(Protocol):
    """What the hybrid needs of an encoder (`EncoderClassifier`)."""

    classes: tuple[SentimentLabel, ...]

    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Class probabilities in `classes` order."""
        ...

    def coverage(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Share (0-1] of each text the encoder reads."""
        ...


@dataclass(frozen=True)
class Routing:
    """How one language combines its encoder with the n-gram network.

    Texts whose n-gram confidence is below `threshold` go to the encoder, and the two models'
    probabilities are mixed with `encoder_weight` for them; the others keep the n-gram answer.
    threshold 1.0 sends every text to the encoder; `encoder_weight` 1.0 is the encoder alone.
    With `by_coverage`, the weight shrinks with the share of the text the encoder read (it
    truncates long reviews; the n-gram network reads them whole).
    """

    threshold: float
    encoder_weight: float
    by_coverage: bool = False


# English: the encoder for every tweet (the n-gram network is weak on TweetEval).
# Chinese: a cascade, because the e5 encoder runs at tens of posts/s on two cores while the
# n-gram network runs at thousands: only posts the n-gram network is unsure of pay for it.
ROUTING = {
    "en": Routing(threshold=1.0, encoder_weight=1.0),
    "zh": Routing(threshold=0.85, encoder_weight=0.5, by_coverage=True),
}
# English tweets MiniLM ("en") is less than 70 % sure of also go to the e5 encoder ("en-e5"):
# in cross-validation that kept the whole gain of averaging both on every tweet (+3 points over
# MiniLM alone) while e5 read about a third of airline and half of TweetEval tweets.
SECOND_OPINION = {"en": ("en-e5", 0.7)}


class SecondOpinion:
    """Two encoders as one: texts the first is unsure of are also read by the second.

    The first encoder scores every text; where its top probability is below `threshold`, the
    second encoder scores the text too and the two probability rows are averaged. Two encoders
    built on different bases make different mistakes, so their average is right more often than
    either, and a threshold keeps the second's cost to the texts where the first may be wrong.
    """

    def __init__(self, first: ProbaModel, second: ProbaModel, threshold: float):
        if first.classes != second.classes:
            raise ValueError(
                f"encoders predict different classes: {first.classes} and {second.classes}"
            )
        self.classes = first.classes
        self.first = first
        self.second = second
        self.threshold = threshold

    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """The first encoder's probabilities, averaged with the second's where it is unsure."""
        probs = self.first.predict_proba(texts)
        unsure = np.flatnonzero(probs.max(axis=1) < self.threshold)
        if len(unsure):
            second = self.second.predict_proba([texts[int(i)] for i in unsure])
            probs[unsure] = 0.5 * (probs[unsure] + second)
        return probs

    def coverage(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """The first encoder's coverage (it reads every text)."""
        return self.first.coverage(texts)


class HybridSentiment:
    """The n-gram networks, with a fine-tuned encoder per language where one is built."""

    def __init__(
        self,
        encoders: Mapping[str, ProbaModel],
        ngram: NgramNetSentiment | None = None,
        routing: Mapping[str, Routing] | None = None,
    ):
        self.name = "herald-hybrid"
        self.ngram = ngram or NgramNetSentiment()
        self.routing = dict(ROUTING if routing is None else routing)
        self.encoders = dict(encoders)

    def score(self, texts: Sequence[str], lang: str | None = None) -> list[SentimentScore]:
        """Score texts; with no `lang`, each text's language is detected."""
        langs = [lang or detect_lang(t) for t in texts]
        out: list[SentimentScore | None] = [None] * len(texts)
        for code in sorted(set(langs)):
            idx = [i for i, lg in enumerate(langs) if lg == code]
            encoder = self.encoders.get(code)
            if encoder is None:
                scored = self.ngram.score([texts[i] for i in idx], code)
                for i, score in zip(idx, scored, strict=True):
                    out[i] = score
                continue
            route = self.routing.get(code, Routing(1.0, 1.0))
            probs = self._mixed(encoder, [texts[i] for i in idx], code, route)
            for i, row in zip(idx, probs, strict=True):
                out[i] = to_score(encoder.classes, row)
        return [s for s in out if s is not None]

    def _mixed(
        self, encoder: ProbaModel, texts: list[str], lang: str, route: Routing
    ) -> npt.NDArray[np.float32]:
        if route.threshold >= 1.0 and route.encoder_weight >= 1.0:
            return encoder.predict_proba(texts)
        net = self.ngram.network(lang)
        order = [net.classes.index(c) for c in encoder.classes]
        probs = net.predict_proba(texts)[:, order]
        # threshold 1.0 means every text, also one the n-gram network is certain of (max 1.0).
        every = route.threshold >= 1.0
        unsure = np.arange(len(texts)) if every else np.flatnonzero(probs.max(1) < route.threshold)
        if len(unsure):
            chosen = [texts[i] for i in unsure]
            enc = encoder.predict_proba(chosen)
            w = np.full((len(unsure), 1), route.encoder_weight, np.float32)
            if route.by_coverage:
                w *= encoder.coverage(chosen)[:, None]
            probs[unsure] = w * enc + (1.0 - w) * probs[unsure]
        return probs


def default_model(build_dirs: Mapping[str, Path] = DEFAULT_DIRS) -> SentimentModel:
    """The best built model: hybrid with every built encoder, else the n-gram networks.

    `build_dirs` maps each encoder build (`encoder.DEFAULT_CONFIGS`: "en", "en-e5", "zh") to
    its folder; a language's second-opinion build joins its first where both are built.
    """
    second_of = {name: lang for lang, (name, _) in SECOND_OPINION.items()}
    built = {}
    for name, folder in build_dirs.items():
        if (folder / HEAD_FILE).exists():
            built[name] = folder
        else:
            log.warning(
                "%s sentiment encoder not built at %s (run `make sentiment-model`); %s",
                name,
                folder,
                f"{second_of[name]} is scored without this second opinion"
                if name in second_of
                else "the n-gram network answers for it",
            )
    # A second opinion whose first encoder is missing would never be asked: not loaded.
    wanted = {n: f for n, f in built.items() if n not in second_of or second_of[n] in built}
    try:
        loaded = {name: EncoderClassifier(folder) for name, folder in wanted.items()}
    except ImportError as exc:
        log.warning("the sentiment encoders need torch and transformers (%s); n-gram only", exc)
        return NgramNetSentiment()
    encoders: dict[str, ProbaModel] = {n: m for n, m in loaded.items() if n not in second_of}
    for lang, (name, threshold) in SECOND_OPINION.items():
        if lang in encoders and name in loaded:
            encoders[lang] = SecondOpinion(encoders[lang], loaded[name], threshold)
    if not encoders:
        return NgramNetSentiment()
    return HybridSentiment(encoders)
