from service.sentiment.ngram import (
    FEATURIZERS,
    detect_lang,
    en_features,
    zh_features,
    zh_word_features,
    zh_words,
)


def test_detect_lang() -> None:
    assert detect_lang("系统什么时候恢复？") == "zh"
    assert detect_lang("@united when will it be back?") == "en"
    assert detect_lang("") == "en"


def test_zh_features_keep_weibo_emoticons_whole() -> None:
    feats = zh_features("好开心[哈哈]")
    assert "e:[哈哈]" in feats
    assert "开心" in feats


def test_en_features_fold_mentions_and_add_the_lexicon_vote() -> None:
    feats = en_features("@SouthwestAir thanks, great crew")
    assert "w:@user" not in feats  # mention folded before word split
    assert "w:user" in feats
    assert "b:great crew" in feats
    assert "v:pos" in feats


def test_zh_words_pair_a_negation_with_its_word() -> None:
    feats = zh_words("饭菜不好吃， 送得太慢了")
    assert "w:太慢" in feats
    assert "b:不|好吃" in feats  # the bigram keeps 不 attached to what it negates
    assert "w: " not in feats


def test_zh_word_features_add_words_to_char_grams() -> None:
    feats = zh_word_features("好开心[哈哈]")
    assert set(zh_features("好开心[哈哈]")) <= set(feats)
    assert "w:好开心" in feats
    assert FEATURIZERS["zh-words"] is zh_word_features
    assert FEATURIZERS["zh"] is zh_features
