"""The dense half of retrieval: inner-product search over normalised note and sentence vectors.

Up to `approximate_above` vectors the search is exact and done by numpy, over the vectors the index
stores anyway: no second copy on disk, and a question is answered without importing FAISS (a tenth
of a cold start). Beyond that, FAISS IVF lists whose recall@10 against exact search stays ≥ 0.98
(measured in bench/), for the notes and the sentences alike.
"""

from __future__ import annotations

import math
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import faiss

EXACT, IVF = "exact", "ivf"

IVF_LISTS_PER_ROOT = 2
"""Lists per square root of the number of vectors (804 for 161 646 sentences). k-means costs grow with
the square of the lists: 4·√n lists, searched over the same share of vectors, gave recall@10 0.999
instead of 0.998 but took 54 s to train instead of 16."""
IVF_TRAINING_PER_LIST = 64
"""k-means learns the lists from a sample of this many vectors per list: at 161 646 sentences a 19 s
build instead of 48 s on all of them, for recall@10 0.9987 instead of 0.9991."""
SENTENCE_PROBES = 64
"""Lists searched per query of the sentence index. At 161 646 sentence vectors (100 000 notes) and
16 / 32 / 48 / 64 / 96 lists: recall@10 0.969 / 0.989 / 0.998 / 0.999 / 0.999, recall@300 (what
retrieval asks for) 0.90 / 0.96 / 0.98 / 0.99 / 0.996, p95 1.1 / 1.4 / 1.7 / 2.3 / 3.8 ms."""
NOTE_PROBES = 128
"""Lists searched per query of the note index. Notes' vectors (means of their sentences') spread
evenly rather than in clusters, so a search must see a larger share of them: at 99 995 notes (632
lists) and 32 / 64 / 128 / 192 lists, recall@10 0.876 / 0.949 / 0.984 / 0.994 at 0.7 / 1.5 / 3.2 /
4.7 ms a search."""


class Allowed:
    """The positions a scoped search may return, and how many there are: IVF needs that to probe
    enough lists."""

    def __init__(self, positions: np.ndarray) -> None:
        self.positions = np.ascontiguousarray(positions, dtype=np.int64)

    @property
    def count(self) -> int:
        return len(self.positions)

    @cached_property
    def selector(self) -> faiss.IDSelectorBatch:
        """The same restriction inside FAISS, made once per scope."""
        import faiss

        return faiss.IDSelectorBatch(self.positions)


class ExactIndex:
    """Every vector compared with the question: what FAISS's flat index does, in one matrix product.

    Float16 rows (the sentence index's) are widened to float32 on the first search."""

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = vectors

    @property
    def ntotal(self) -> int:
        return len(self.vectors)

    @property
    def d(self) -> int:
        return self.vectors.shape[1]

    @cached_property
    def _matrix(self) -> np.ndarray:
        return np.ascontiguousarray(self.vectors, dtype=np.float32)

    def search(self, vector: np.ndarray, k: int, allowed: Allowed | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(similarities, positions) of the k nearest, best first; equal similarities by position."""
        positions = np.arange(self.ntotal) if allowed is None else allowed.positions
        scores = (self._matrix if allowed is None else self._matrix[positions]) @ vector.astype(np.float32)
        k = min(k, len(scores))
        nearest = np.argpartition(-scores, k - 1)[:k] if 0 < k < len(scores) else np.arange(k)
        nearest = nearest[np.lexsort((positions[nearest], -scores[nearest]))]
        return scores[nearest], positions[nearest]


if TYPE_CHECKING:
    VectorIndex = ExactIndex | faiss.IndexIVF


def build(vectors: np.ndarray, approximate_above: int, probes: int) -> VectorIndex:
    """Exact search over `vectors`, or IVF lists; either holds them at the precision given (float32
    note vectors, float16 sentence rows), so its similarities are the stored vectors' own.

    Vectors lie in tight clusters of near-duplicates (one sentence reworded across overlapping
    notes, recurring boilerplate, and notes whose vectors are means of such sentences), which trap
    HNSW's greedy walk: at 161 646 sentence vectors HNSW (M 32) reached recall@10 0.939 at efSearch
    512 and needed 2 048 (p95 9 ms) for 0.995, and at 100 000 notes 0.885 at efSearch 512. IVF
    scans whole clusters: recall@10 0.999 for the sentences (p95 2.3 ms, 19 s to build) and 0.984
    for the bench's synthetic notes (`NOTE_PROBES`). Half precision
    halves the sentences' memory (121 MB instead of 239). `probes` lists are searched per query;
    FAISS stores that with the index."""
    if len(vectors) <= approximate_above:
        return ExactIndex(vectors)
    import faiss

    dim = vectors.shape[1]
    lists = min(len(vectors), round(IVF_LISTS_PER_ROOT * math.sqrt(len(vectors))))
    quantizer = faiss.IndexFlatIP(dim)
    if vectors.dtype == np.float16:
        index = faiss.IndexIVFScalarQuantizer(
            quantizer, dim, lists, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
        )
        index.by_residual = False  # float16 of each vector itself, like the rows, not of its offset from a list
    else:
        index = faiss.IndexIVFFlat(quantizer, dim, lists, faiss.METRIC_INNER_PRODUCT)
    index.cp.max_points_per_centroid = IVF_TRAINING_PER_LIST
    index.nprobe = probes
    return _filled(index, vectors)


def _filled(index: faiss.IndexIVF, vectors: np.ndarray) -> faiss.IndexIVF:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if not index.is_trained:
        index.train(vectors)
    index.add(vectors)
    return index


def kind(index: VectorIndex) -> str:
    return EXACT if isinstance(index, ExactIndex) else IVF


def save(index: VectorIndex, path: Path) -> None:
    """Write an approximate index; an exact one is the vectors, which their owner stores."""
    if not isinstance(index, ExactIndex):
        import faiss

        faiss.write_index(index, str(path))


def load(path: Path, index_kind: str, vectors: np.ndarray) -> VectorIndex:
    """The index `save` wrote, or for an exact one the search over `vectors`."""
    if index_kind == EXACT:
        return ExactIndex(vectors)
    import faiss

    return faiss.read_index(str(path))


def search(
    index: VectorIndex, vector: np.ndarray, k: int, allowed: Allowed | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(similarities, positions) of the k nearest vectors, best first; only `allowed` ones when given."""
    k = min(k, index.ntotal)
    if isinstance(index, ExactIndex):
        return index.search(vector, k, allowed)
    import faiss

    params = None
    if allowed is not None:
        params = faiss.SearchParametersIVF(sel=allowed.selector, nprobe=_scoped_probes(index, allowed.count))
    scores, ids = index.search(np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32), k, params=params)
    keep = ids[0] >= 0
    return scores[0][keep], ids[0][keep]


def _scoped_probes(index: faiss.IndexIVF, allowed: int) -> int:
    """Lists to probe so that a scope's search sees as many of its vectors as an unscoped search
    sees vectors: a small scope's nearest lie in lists far from the question. At 161 646 sentences,
    for scopes of 0.2 % to 50 % of them: recall@10 within the scope ≥ 0.999, recall@300 ≥ 0.996,
    p95 ≤ 10 ms; a fixed 64 lists gave recall@10 0.81 for a 0.2 % scope (HNSW at efSearch 512: 0.34)."""
    return min(index.nlist, math.ceil(index.nprobe * index.ntotal / max(allowed, 1)))
