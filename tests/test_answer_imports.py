"""What a cold start pays for: answering a question loads no library that only a build needs."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO, BuiltIndex

BUILD_ONLY = ("bm25s", "scipy", "wordfreq", "rapidfuzz", "faiss")

@pytest.mark.parametrize("command", ["ask", "chat"])
def test_answering_imports_only_what_answering_needs(seed_index: BuiltIndex, command: str) -> None:
    """bm25s (which imports scipy, a third of a second), wordfreq and rapidfuzz serve the build,
    and FAISS only an approximate index: a question on the bundled corpus needs none of them."""
    probe = (
        "import sys\n"
        "from bot.cli import main\n"
        f"code = main([{command!r}, *(['--json', 'vad sa dom om praktik'] if {command!r} == 'ask' else [])])\n"
        f"loaded = sorted(name for name in {BUILD_ONLY!r} if name in sys.modules)\n"
        "print('LOADED', loaded, code)\n"
    )
    settings = seed_index.settings
    env = {"SAMORDNA_CORPUS_DIR": str(settings.corpus_dir), "SAMORDNA_INDEX_DIR": str(settings.index_dir),
           "PATH": "/usr/bin:/bin", "OMP_WAIT_POLICY": "PASSIVE"}
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env, input="", capture_output=True,
                          text=True, timeout=120)
    assert "LOADED [] 0" in done.stdout, done.stdout + done.stderr
