"""One running bot per SQLite database: an exclusive lock on a file beside it, held for the process's life."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from bot.i18n import LocalizedError, reason


class DatabaseUnavailable(LocalizedError):
    """The database cannot be opened or written (a missing folder, not a database, no permission, a full disk)."""


class DatabaseInUse(LocalizedError):
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
                "db.lock_unusable", path=str(self.path.with_suffix("")), reason=reason(error.strerror or str(error))
            ) from error
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise DatabaseInUse("db.in_use", path=str(self.path.with_suffix("")), pid=holder) from None
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
