"""The one way the engine writes a file: saves, autosaves, reports, simulation outputs and new scenarios.

The rule, which every writer in the engine follows by calling `write_file`
(or `Batch`, for a folder of outputs):

1. Only regular files are written. A folder, a named pipe (FIFO), a device
   node or a socket at the target is refused and left as it was, --force or
   not: writing must never replace `/dev/null` or feed a pipe.
2. Never through a symbolic link at the final name. A link at the target is
   refused, whether it points at a file or nowhere, so a link planted where an
   output will go can neither redirect the write nor be replaced by it: name
   the file the link points to. Links among the folders above are followed as
   the system does (a home folder on another disk). A folder the user names
   (`--out DIR`) may be a link; an output folder the engine chose itself
   (`named=False`: default report and simulation folders) may not.
3. Atomically. The bytes go into a new temporary file, created exclusively
   (O_EXCL, a random name `.NAME.XXXXXXXX.tmp`) in the target's folder,
   flushed and fsynced, and only then renamed onto the target, so a reader
   sees the old file or the new one, never half of one. A file of the user's
   (`NAME.tmp`, say) is never opened, reused or deleted; on any failure the
   temporary file is removed and the target is unchanged. Temporary files a
   killed process left (our pattern, a regular file of ours, older than
   `STALE_TEMP_SECONDS`) are cleared by the next write of the same name.
4. Never over an existing file unless asked: `replace=False` (a command's
   missing --force) publishes with a hard link, which fails if the name exists
   even when it appeared a moment ago; `replace=True` replaces a regular file
   and keeps its permissions. Saves replace only an earlier save
   (engine/persistence/saves.py checks that); reports and simulation outputs replace
   their own file names inside their output folder.
5. A failure is a `WriteError`: an OSError (so `except OSError` still catches
   it) whose text is one sentence naming the file and the reason ("the disk
   is full", "is a named pipe (FIFO) ..."), never a traceback. `check_target`
   and `prepare_folder` apply the same checks before any work is done, so a
   destination that cannot work is refused before a long run, not after.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Literal

#: what `write_file` accepts: the bytes, text (written as UTF-8), or a function writing into a binary file
Data = bytes | str | Callable[[IO[bytes]], None]
#: what went wrong, for callers that word it their own way (engine/persistence/saves.py)
#: folder: the target is a folder; no-folder: its folder cannot be made or written; link, special (a pipe,
#: device or socket), exists (and may not be replaced); not-written: the system refused the write
Kind = Literal["folder", "no-folder", "link", "special", "exists", "not-written"]

#: a temporary file this old beside a target was left by a killed process (no write takes this long)
STALE_TEMP_SECONDS = 600
#: the longest target name used in a temporary file's name (a name of 255 bytes must still get one)
_TEMP_STEM = 120


class WriteError(OSError):
    """A file could not be written, or would not be written where it was asked.

    `reason` completes a sentence whose subject is the file ("is a symbolic
    link; ..."); `str()` is that sentence with the full path, `strerror` with
    the file's name only (for messages that already say the folder). `kind`
    says what went wrong; `cause` is the system's reason when there is one.
    """

    def __init__(self, path: Path | str, reason: str, kind: Kind, *, cause: str = "", code: int = 0,
                 strerror: str | None = None):
        self.path = Path(path)
        self.reason = reason
        self.kind = kind
        self.cause = cause
        super().__init__(code, strerror or f"{self.path.name or self.path} {reason}")
        self.filename = str(self.path)

    def __str__(self) -> str:
        return f"{self.path} {self.reason}"


def os_reason(exc: OSError) -> str:
    """The system's reason in words a player can act on ("the disk is full"), not an errno."""
    names = {errno.ENOSPC: "the disk is full", errno.EROFS: "the folder is read-only",
             errno.EACCES: "permission denied", errno.EPERM: "the operation is not permitted",
             errno.ENAMETOOLONG: "the name is too long", errno.ELOOP: "there are too many symbolic links",
             errno.ENOTDIR: "a part of the path is a file, not a folder",
             errno.EEXIST: "a file of that name is in the way"}
    if getattr(errno, "EDQUOT", None) is not None:
        names[errno.EDQUOT] = "the disk quota is used up"
    return names.get(exc.errno or 0) or exc.strerror or str(exc) or type(exc).__name__


def _what(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_target(path: Path | str, *, replace: bool = True) -> os.stat_result | None:
    """Refuse a target this rule would not write (see the module's rule); return its lstat, None if absent.

    Checks only the name itself: whether its folder can be made and written is
    `prepare_folder`'s (or the write's) business.
    """
    path = Path(path)
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):  # absent (a file in the way of its folder: the folder's problem)
        return None
    except OSError as exc:
        raise WriteError(path, f"cannot be written ({os_reason(exc)})", "not-written", cause=os_reason(exc),
                         code=exc.errno or 0) from None
    if stat.S_ISLNK(st.st_mode):
        raise WriteError(path, "is a symbolic link, and files are never written through a link; name the file it "
                               "points to, or remove the link", "link")
    if stat.S_ISDIR(st.st_mode):
        raise WriteError(path, "is a folder; give a file name", "folder", code=errno.EISDIR)
    if not stat.S_ISREG(st.st_mode):
        raise WriteError(path, f"is {_what(st.st_mode)}, not a regular file; only regular files are written, "
                               "so choose another name", "special", cause=_what(st.st_mode))
    if not replace:
        raise WriteError(path, "already exists", "exists", code=errno.EEXIST)
    return st


def check_writable(path: Path | str, *, replace: bool = True) -> None:
    """Whether `path` could be written now: for a destination checked before the work (a game to save).

    The target passes `check_target`; the nearest folder that exists is a
    folder, on a file system that is not read-only, that this process may
    write, and that takes a file (a temporary one is made and removed at
    once; nothing else is written, and the rest of the path is made later).
    """
    path = Path(path)
    check_target(path, replace=replace)
    _check_ancestor(path.parent if str(path.parent) else Path("."), path)


def _check_ancestor(folder: Path, shown: Path) -> None:
    here = folder
    while True:
        try:
            st = os.stat(here)
            break
        except FileNotFoundError:
            if here.parent == here:
                raise WriteError(shown, "cannot be written (its folder does not exist)", "no-folder") from None
            here = here.parent
        except OSError as exc:
            raise WriteError(shown, f"cannot be written ({os_reason(exc)})", "no-folder", cause=os_reason(exc),
                             code=exc.errno or 0) from None
    if not stat.S_ISDIR(st.st_mode):
        raise WriteError(shown, f"cannot be written: {here} is a file, not a folder", "no-folder",
                         cause=f"{here} is a file, not a folder", code=errno.ENOTDIR)
    readonly = getattr(os, "ST_RDONLY", 0)
    flags = 0
    if readonly and hasattr(os, "statvfs"):
        with contextlib.suppress(OSError):
            flags = os.statvfs(here).f_flag
    if flags & readonly:  # a read-only mount stops root too, which os.access below does not see
        raise WriteError(shown, "cannot be written (the folder is read-only)", "no-folder",
                         cause="the folder is read-only", code=errno.EROFS)
    if not os.access(here, os.W_OK | os.X_OK):
        raise WriteError(shown, f"cannot be written (permission denied in {here})", "no-folder",
                         cause="permission denied", code=errno.EACCES)
    _probe(here, shown)


def _probe(folder: Path, shown: Path) -> None:
    """Create and remove a temporary file in `folder`: the one sure test that it takes files (/proc does not)."""
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".write-check.", suffix=".tmp")
    except OSError as exc:
        raise WriteError(shown, f"cannot be written ({os_reason(exc)})", "no-folder", cause=os_reason(exc),
                         code=exc.errno or 0) from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)


def make_folder(folder: Path | str, *, named: bool = True) -> Path:
    """Create `folder` (and its parents) if needed; refuse a file in the way, or a link the user did not name."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = os_reason(exc)
        if isinstance(exc, (FileExistsError, NotADirectoryError)):
            reason = "a file is in the way"
        raise WriteError(folder, f"cannot be made a folder ({reason})", "no-folder", cause=reason,
                         code=exc.errno or 0) from None
    if not named and folder.is_symlink():
        raise WriteError(folder, "is a symbolic link where the engine makes its own output folder; remove it, "
                                 "or name the folder with --out", "link")
    return folder


def prepare_folder(folder: Path | str, names: Iterable[str] = (), *, named: bool = True) -> Path:
    """Make the output folder and check it can take `names`, before the work that fills it.

    The folder is created (a file in the way, an impossible place or a
    planted link is refused); each of `names` passes `check_target`; and a
    temporary file is created and removed in it, which proves it writable
    even for root on a read-only file system.
    """
    folder = make_folder(folder, named=named)
    for name in names:
        check_target(folder / name)
    _probe(folder, folder)
    return folder


def write_file(path: Path | str, data: Data, *, replace: bool = True, named: bool = True) -> Path:
    """Write `data` to `path` by the module's rule and return `path`; raise WriteError, changing nothing, if not.

    `replace=False` refuses an existing file (a command without --force),
    atomically. The folder is created if needed (`named`: see `make_folder`).
    """
    with atomic(path, replace=replace, named=named) as f:
        if callable(data):
            data(f)
        else:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)


@contextlib.contextmanager
def atomic(path: Path | str, *, replace: bool = True, named: bool = True) -> Iterator[IO[bytes]]:
    """A binary file to write `path` through, published by the module's rule when the block ends without error.

    For output too large to hold in memory (a million CSV rows). An OSError in
    the block (a full disk) becomes a WriteError; on any error the temporary
    file is removed and `path` is left as it was.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not path.name or path.name in (".", ".."):
        raise WriteError(path, "is a folder; give a file name", "folder", code=errno.EISDIR)
    check_target(path, replace=replace)
    make_folder(folder, named=named)
    old = check_target(path, replace=replace)
    tmp_name: str | None = None
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=_temp_prefix(path.name), suffix=".tmp",
                                         delete=False) as tmp:
            tmp_name = tmp.name
            yield tmp
            tmp.flush()
            os.fsync(tmp.fileno())
        with contextlib.suppress(OSError):  # the permissions are a nicety, not worth failing a write over
            os.chmod(tmp_name, stat.S_IMODE(old.st_mode) if old is not None else 0o666 & ~_UMASK)
        check_target(path, replace=replace)  # again, just before: nothing was put there meanwhile
        _publish(tmp_name, path, replace)
        tmp_name = None
    except WriteError:
        raise
    except OSError as exc:
        earlier = "; any earlier file there is unchanged" if old is not None else ""
        raise WriteError(path, f"could not be written ({os_reason(exc)}){earlier}", "not-written",
                         cause=os_reason(exc), code=exc.errno or 0) from None
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
    _fsync_folder(folder)
    remove_stale_temporaries(path)


def _publish(tmp_name: str, path: Path, replace: bool) -> None:
    """Rename the finished temporary file onto `path` (never following a link there; see rule 4)."""
    if replace:
        os.replace(tmp_name, path)
        return
    try:
        os.link(tmp_name, path)  # fails if anything has the name, however recently it appeared
    except FileExistsError:
        raise WriteError(path, "already exists", "exists", code=errno.EEXIST) from None
    except OSError as exc:  # a file system without hard links: check, then rename
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.EXDEV,
                             errno.ENOSYS, errno.EACCES):
            raise
        if os.path.lexists(path):
            raise WriteError(path, "already exists", "exists", code=errno.EEXIST) from None
        os.replace(tmp_name, path)
        return
    with contextlib.suppress(OSError):
        os.unlink(tmp_name)


def _temp_prefix(name: str) -> str:
    return f".{name[:_TEMP_STEM]}."


def remove_stale_temporaries(target: Path | str) -> None:
    """Clear temporary files a killed process left beside `target` (the target itself is always whole).

    Only names of our pattern, regular files (never a link) of this user, older than STALE_TEMP_SECONDS.
    """
    target = Path(target)
    now = time.time()
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    for leftover in target.parent.glob(f"{glob.escape(_temp_prefix(target.name))}*.tmp"):
        with contextlib.suppress(OSError):
            st = leftover.lstat()
            if (stat.S_ISREG(st.st_mode) and now - st.st_mtime > STALE_TEMP_SECONDS
                    and (uid is None or st.st_uid == uid)):
                leftover.unlink()


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable where the OS allows syncing a folder (not on Windows)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse; the file's data is already on disk
    finally:
        os.close(fd)


class Batch:
    """Several files written into one folder, each by `write_file`; one failing does not stop the others.

    `write` returns the path, or None if that file failed; `finish` raises one
    WriteError naming every file that failed and those that were written.
    """

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        self.written: list[Path] = []
        self.failed: list[WriteError] = []

    def write(self, name: str, data: Data) -> Path | None:
        try:
            path = write_file(self.folder / name, data)
        except WriteError as exc:
            self.failed.append(exc)
            return None
        self.written.append(path)
        return path

    @contextlib.contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        """`atomic` for one file of the batch: a failure (a full disk) is recorded, not raised."""
        try:
            with atomic(self.folder / name) as f:
                yield f
        except WriteError as exc:
            self.failed.append(exc)
            return
        self.written.append(self.folder / name)

    def add_failure(self, exc: WriteError) -> None:
        self.failed.append(exc)

    def finish(self) -> list[Path]:
        if not self.failed:
            return self.written
        what = "; ".join(exc.strerror or str(exc) for exc in self.failed)
        kept = (f"; the other files are written ({', '.join(p.name for p in self.written)})" if self.written
                else "; nothing was written")
        first = self.failed[0]
        raise WriteError(self.folder, f"is not complete: {what}{kept}", "not-written", cause=first.cause,
                         code=first.errno or 0, strerror=what + kept)
