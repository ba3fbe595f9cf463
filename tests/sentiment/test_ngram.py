from service.sentiment.ngram import detect_lang, en_features, zh_features


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
