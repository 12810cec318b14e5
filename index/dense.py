"""The dense half of retrieval: a FAISS inner-product index over normalised note vectors.

Exact search up to `approximate_above` notes; beyond that HNSW, whose recall@10 against exact
search stays ≥ 0.98 at the efSearch used here (measured in bench/).
"""

from __future__ import annotations

import faiss
import numpy as np

HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 512


def build_dense_index(vectors: np.ndarray, approximate_above: int) -> faiss.Index:
    dim = vectors.shape[1]
    if len(vectors) <= approximate_above:
        index = faiss.IndexFlatIP(dim)
    else:
        index = faiss.IndexHNSWFlat(dim, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    tune(index)
    return index


def tune(index: faiss.Index) -> None:
    """Search-time parameters are not stored with an index; set them after every load."""
    if isinstance(index, faiss.IndexHNSW):
        index.hnsw.efSearch = HNSW_EF_SEARCH


def kind(index: faiss.Index) -> str:
    return "hnsw" if isinstance(index, faiss.IndexHNSW) else "exact"


def selector(positions: np.ndarray) -> faiss.IDSelector:
    """Restricts a search to these note positions (a scope), inside FAISS rather than after it."""
    return faiss.IDSelectorBatch(np.ascontiguousarray(positions, dtype=np.int64))


def search(
    index: faiss.Index, vector: np.ndarray, k: int, allowed: faiss.IDSelector | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(similarities, note positions) of the k nearest notes, best first; only `allowed` ones when given."""
    k = min(k, index.ntotal)
    params = None
    if allowed is not None and isinstance(index, faiss.IndexHNSW):
        params = faiss.SearchParametersHNSW(sel=allowed, efSearch=HNSW_EF_SEARCH)
    elif allowed is not None:
        params = faiss.SearchParameters(sel=allowed)
    scores, ids = index.search(np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32), k, params=params)
    keep = ids[0] >= 0
    return scores[0][keep], ids[0][keep]
