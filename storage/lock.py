"""One running bot per SQLite database: an exclusive lock on a file beside it, held for the process's life."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType


class DatabaseUnavailable(Exception):
    """The database cannot be opened or written (a missing folder, not a database, no permission, a full disk)."""


class DatabaseInUse(Exception):
    """Another ``ebranch run`` (or demo) already serves this database."""


class InstanceLock:
    """``flock`` on ``<database>.lock``: the kernel drops it when the process ends, however it ends (kill -9 too)."""

    def __init__(self, database: Path | str) -> None:
        self.path = Path(f"{database}.lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise DatabaseInUse naming the process that holds it."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            raise DatabaseUnavailable(
                f"cannot use the database {self.path.with_suffix('')}: {error.strerror}"
                " (check [general] database / EBRANCH_DATABASE: its folder must exist and be writable)"
            ) from error
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise DatabaseInUse(
                f"{self.path.with_suffix('')} is already served by a running ebranch (pid {holder}); stop it first"
                " — two instances on one SQLite database would answer every update twice"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        """Let go of the lock (also done by the kernel when the process ends)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.release()
