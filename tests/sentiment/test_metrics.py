from eval.sentiment.metrics import compute


def test_perfect_predictions_score_one() -> None:
    m = compute(["a", "b", "b"], ["a", "b", "b"])
    assert m.accuracy == 1.0
    assert m.macro_f1 == 1.0
    assert m.confusion == ((1, 0), (0, 2))


def test_macro_f1_averages_over_gold_labels() -> None:
    m = compute(["pos", "pos", "neg", "neg"], ["pos", "neg", "neg", "neg"])
    # pos: P=1, R=.5, F=.667; neg: P=.667, R=1, F=.8
    assert abs(m.macro_f1 - (2 / 3 + 0.8) / 2) < 1e-9
    assert m.accuracy == 0.75


def test_predicted_label_outside_gold_gets_a_column() -> None:
    m = compute(["neg", "pos"], ["neutral", "pos"])
    assert m.labels == ("neg", "pos", "neutral")
    assert m.confusion == ((0, 0, 1), (0, 1, 0))
