"""One build at a time per index folder, across processes.

Two builds racing (the CLI and the bot's /reindex, or two admins' uploads in two bot processes)
would remove each other's build folders and could leave `current` pointing at nothing. The lock
is an OS file lock (`filelock`): it is released when its holder dies, so a build killed with
kill -9 never blocks the next one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.errors import BuildRunning, IndexUnwritable

log = logging.getLogger(__name__)

LOCK_FILE = ".build.lock"


@contextmanager
def build_lock(index_dir: Path, timeout: float = -1) -> Iterator[None]:
    """Hold the index folder's build lock for the block, creating the folder first.

    Waits for a build in another process (saying so); `timeout` >= 0 bounds the wait, after which
    BuildRunning is raised. Checking the folder here also means a folder that cannot take an index
    is reported before anything slow is done."""
    from filelock import FileLock, Timeout  # here: `samordna ask` never needs it

    prepare_index_dir(index_dir)
    lock = FileLock(index_dir / LOCK_FILE)
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if timeout == 0:
                raise BuildRunning(index_dir) from None
            log.warning("En annan indexbyggnad pågår i %s – väntar på att den blir klar …", index_dir)
            lock.acquire(timeout=timeout)
    except Timeout:
        raise BuildRunning(index_dir) from None
    except OSError as error:
        raise IndexUnwritable.because(index_dir, error) from error
    try:
        yield
    finally:
        lock.release()


def build_running(index_dir: Path) -> bool:
    """Whether another process holds the build lock right now (a hint for refusing early; the
    lock itself is what keeps builds apart)."""
    from filelock import FileLock, Timeout

    if not (index_dir / LOCK_FILE).exists():
        return False
    lock = FileLock(index_dir / LOCK_FILE)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    except OSError:
        return False
    lock.release()
    return False


def prepare_index_dir(index_dir: Path) -> None:
    """Create the index folder, or say in Swedish why it cannot be one."""
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexUnwritable(index_dir, "sökvägen är en fil, inte en mapp", exit_code=2)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise IndexUnwritable.because(index_dir, error) from error
