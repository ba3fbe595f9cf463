from service.sentiment.lexicon import LexiconSentiment
from service.sentiment.model import SentimentLabel


def test_lexicon_reads_clear_polarity_in_both_languages() -> None:
    model = LexiconSentiment()
    scores = model.score(
        ["太好吃了，送餐也很快，非常满意", "I love this, great service!", "This is awful."]
    )
    assert scores[0].label is SentimentLabel.positive
    assert scores[1].label is SentimentLabel.positive
    assert scores[2].label is SentimentLabel.negative
    assert scores[2].score < 0 < scores[1].score


def test_lexicon_says_neutral_for_english_without_opinion() -> None:
    (score,) = LexiconSentiment().score(["The flight leaves at 9."], lang="en")
    assert score.label is SentimentLabel.neutral
