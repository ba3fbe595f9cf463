"""The scoring worker: claims unscored posts with a lease, scores, classifies and links them.

Claiming is a conditional UPDATE … RETURNING over rows that are unscored and unleased (or whose
lease lapsed), so two workers never score the same batch, on SQLite or PostgreSQL; PostgreSQL
also skips rows another worker has locked. A worker that dies mid-batch leaves its lease to lapse
and another worker scores those posts. The API process runs one by default; `herald feed
score-worker` runs more as separate processes.
"""

import asyncio
import contextlib
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from service.config import Settings
from service.feedback.linking import Linker, candidates
from service.feedback.policy import FeedbackPolicy, load_policy
from service.sentiment.concerns import RuleConcernModel
from service.sentiment.default import default_model
from service.sentiment.model import Concern, SentimentScore
from service.sentiment.ngramnet import NgramNetSentiment
from service.sentiment.port import ConcernModel, SentimentModel
from service.store.tables import FeedbackPostRow
from service.store.types import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claimed:
    """A post leased to this worker for scoring."""

    id: int
    text: str
    lang: str | None
    created_at: datetime
    explicit: bool


class ScoringWorker:
    """Scores posts in batches through the `SentimentModel` and `ConcernModel` ports."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        sentiment: SentimentModel,
        concerns: ConcernModel,
        policy: FeedbackPolicy,
        *,
        batch: int = 500,
        lease_s: float = 60.0,
    ) -> None:
        self.factory = factory
        self.sentiment = sentiment
        self.concerns = concerns
        self.linker = Linker(policy.linking)
        self.policy = policy
        self.batch = batch
        self.lease = timedelta(seconds=lease_s)

    def claim(self, now: datetime | None = None) -> list[Claimed]:
        """Lease up to `batch` unscored posts, oldest first."""
        now = now or utcnow()
        free = or_(FeedbackPostRow.lease_until.is_(None), FeedbackPostRow.lease_until < now)
        with self.factory() as session, session.begin():
            ids = list(
                session.scalars(
                    select(FeedbackPostRow.id)
                    .where(FeedbackPostRow.scored_at.is_(None), free)
                    .order_by(FeedbackPostRow.id)
                    .limit(self.batch)
                    .with_for_update(skip_locked=True)
                )
            )
            if not ids:
                return []
            # The WHERE repeats the lease test, so on SQLite a row another worker took in the
            # meantime is not returned to this one.
            rows = session.execute(
                update(FeedbackPostRow)
                .where(FeedbackPostRow.id.in_(ids), FeedbackPostRow.scored_at.is_(None), free)
                .values(lease_until=now + self.lease)
                .returning(
                    FeedbackPostRow.id,
                    FeedbackPostRow.text,
                    FeedbackPostRow.lang,
                    FeedbackPostRow.created_at,
                    FeedbackPostRow.explicit_incident,
                )
                .execution_options(synchronize_session=False)
            ).all()
        return sorted(
            (Claimed(r.id, r.text, r.lang, r.created_at, r.explicit_incident) for r in rows),
            key=lambda c: c.id,
        )

    def score(self, posts: list[Claimed], now: datetime | None = None) -> int:
        """Score, classify and link claimed posts, writing every result in one transaction."""
        if not posts:
            return 0
        now = now or utcnow()
        by_lang: dict[str | None, list[int]] = defaultdict(list)
        for i, post in enumerate(posts):
            by_lang[post.lang].append(i)
        results: dict[int, tuple[SentimentScore, Concern]] = {}
        for lang, idx in by_lang.items():
            texts = [posts[i].text for i in idx]
            scores = self.sentiment.score(texts, lang)
            concerns = self.concerns.classify(texts, lang)
            results.update(zip(idx, zip(scores, concerns, strict=True), strict=True))
        with self.factory() as session, session.begin():
            pool = candidates(session, min(p.created_at for p in posts), self.policy.linking)
            explicit: list[dict[str, object]] = []
            linked: list[dict[str, object]] = []
            for i, post in enumerate(posts):
                score, concern = results[i]
                values: dict[str, object] = {
                    "id": post.id,
                    "label": score.label.value,
                    "score": score.score,
                    "concern": concern.value,
                    "model": self.sentiment.name,
                    "scored_at": now,
                    "lease_until": None,
                }
                if post.explicit:
                    explicit.append(values)
                    continue
                link = self.linker.link(post.text, post.created_at, pool)
                values["incident_id"] = link.incident_id if link else None
                values["link_confidence"] = link.confidence if link else None
                linked.append(values)
            # ORM bulk UPDATE by primary key: one executemany per shape of row.
            for group in (explicit, linked):
                if group:
                    session.execute(update(FeedbackPostRow), group)
        return len(posts)

    def run_once(self) -> int:
        """Claim one batch and score it; returns how many posts were scored."""
        return self.score(self.claim())

    def drain(self) -> int:
        """Score until nothing is left; returns the total."""
        total = 0
        while scored := self.run_once():
            total += scored
        return total

    async def run_forever(self, stop: asyncio.Event, idle_s: float = 0.5) -> None:
        """Score in a worker thread until `stop` is set; idle briefly when nothing waits."""
        while not stop.is_set():
            try:
                busy = await asyncio.to_thread(self.run_once)
            except Exception:  # keep the loop alive through a database hiccup
                log.exception("scoring loop failed; retrying")
                busy = 0
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=idle_s)


def build_scoring_worker(
    settings: Settings, factory: sessionmaker[Session], policy: FeedbackPolicy | None = None
) -> ScoringWorker:
    """The worker the settings describe: its sentiment model (`sentiment_model`) and the concern
    rules."""
    model = NgramNetSentiment() if settings.sentiment_model == "ngram" else default_model()
    return ScoringWorker(
        factory,
        model,
        RuleConcernModel(),
        policy or load_policy(settings.feedback_policy_path),
        batch=settings.feedback_scoring_batch,
        lease_s=settings.feedback_scoring_lease_s,
    )
