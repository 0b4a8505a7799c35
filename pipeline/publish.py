"""Publishing a run's tables into the output folder as one step, and owning only what it wrote.

Why a journal: the tables of a run (mentions, entities, documents) belong together; renaming three
files is three steps, and a run killed between two of them would leave a new `mentions.csv` beside
the previous run's `entities.csv`. So every table is first written whole under a temporary name, a
journal (`.arabic-ie-publish.json`) then records the renames and the run's manifest, and only then are
the renames done. Whoever finds a journal — the next run, `--resume` — finishes it (roll forward), and
`read_table` refuses tables while one is pending. The manifest (`run.json`) names the run's table
files with their SHA-256, so readers can tell a complete set from a mixed one; it also holds what is
not deterministic (timings, versions), which keeps the tables themselves byte-identical from run to run.

Why markers: the tool deletes only what it wrote. A Parquet folder table carries a marker file
(`.arabic-ie-table`, which Parquet readers skip like any dot-file), the manifest says
`"tool": "arabic-ie"`, and temporaries carry the tool's own prefixes; anything else found at a place
the tool would write is refused before the run starts.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = [
    "JOURNAL",
    "MANIFEST",
    "REPORT_MARKER",
    "TABLE_MARKER",
    "FORMATS",
    "TOOL",
    "WORK_DIR",
    "ForeignPathError",
    "OutOfStepError",
    "atomic_write",
    "check_out",
    "file_digest",
    "own_manifest",
    "pending_journal",
    "previous_run",
    "publish",
    "recover",
    "staging_dir",
    "staging_file",
]

TOOL = "arabic-ie"
FORMATS = ("csv", "jsonl", "parquet", "parquet-partitioned", "xlsx")  # what a run can publish
WORK_DIR = ".arabic-ie-work"  # where a run keeps its progress (pipeline.store); never input
MANIFEST = "run.json"
JOURNAL = ".arabic-ie-publish.json"
TABLE_MARKER = ".arabic-ie-table"  # in a folder table or export the tool wrote
REPORT_MARKER = ".arabic-ie-report"  # in an HTML report folder (pipeline.report)
_TMP_SUFFIX = ".arabic-ie.tmp"
_OLD_SUFFIX = ".arabic-ie.old"


class ForeignPathError(OSError):
    """A path the run would replace holds something the tool did not write."""


class OutOfStepError(ValueError):
    """Tables that do not form one run's set (a publish was interrupted, or a file was changed)."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()


def atomic_write(path: Path, write) -> None:
    """Call `write(tmp)` on a temporary file beside `path`, then rename it into place.

    The temporary file gets the mode a plain `open()` would give (the user's umask), not mkstemp's
    0600, and the tool's own suffix, so that a later run can recognise and remove a leftover one.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=_TMP_SUFFIX, dir=path.parent)
    os.close(fd)
    try:
        os.chmod(tmp, _FILE_MODE)
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def staging_dir(out: Path, name: str) -> Path:
    """A fresh temporary folder in `out` for a folder table `name` (made with the user's umask)."""
    path = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=_TMP_SUFFIX, dir=out))
    os.chmod(path, 0o777 & ~_umask())
    return path


def staging_file(out: Path, name: str) -> Path:
    """A fresh temporary file in `out` for the table `name`, with the mode `open()` would give."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=_TMP_SUFFIX, dir=out)
    os.close(fd)
    os.chmod(tmp, _FILE_MODE)
    return Path(tmp)


def file_digest(path: Path) -> str:
    """SHA-256 of a file, or of a folder table's part files in name order."""
    h = hashlib.sha256()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for f in files:
        if f.name == TABLE_MARKER:
            continue
        if path.is_dir():
            h.update(f.name.encode() + b"\0")
        with f.open("rb") as fh:
            for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def _own_json(path: Path) -> dict[str, Any] | None:
    """A JSON object the tool wrote at `path` (it says "tool": "arabic-ie"), or None."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("tool") == TOOL else None


def own_manifest(folder: Path) -> dict[str, Any] | None:
    """The tool's manifest in `folder`, or None when there is none (or it is somebody else's)."""
    return _own_json(folder / MANIFEST)


def pending_journal(folder: Path) -> dict[str, Any] | None:
    """The journal of an interrupted publish in `folder`, if any."""
    return _own_json(folder / JOURNAL)


def _is_own_table_dir(path: Path) -> bool:
    """A folder the tool wrote (a Parquet table, the brat export): it carries the marker."""
    return (path / TABLE_MARKER).is_file()


def check_out(out: Path, targets: list[str]) -> None:
    """Refuse, before any work, an output folder where a target holds something not ours.

    `targets` are the names the run will publish (files or folder tables).
    """
    for name in targets:
        path = out / name
        if path.is_dir() and not path.is_symlink():
            if not _is_own_table_dir(path):
                raise ForeignPathError(
                    f"{path} is a folder the tool did not write; it will not replace it. "
                    "Choose another --out"
                )
        elif path.is_symlink() or (path.exists() and not path.is_file()):
            raise ForeignPathError(f"{path} is not a regular file; choose another --out")
    manifest = out / MANIFEST
    if manifest.exists() and own_manifest(out) is None:
        raise ForeignPathError(
            f"{manifest} exists and was not written by {TOOL}; it will not replace it. "
            "Choose another --out"
        )


def previous_run(out: Path, tables: Iterable[str]) -> list[str]:
    """What an earlier run left in `out`: its manifest, `tables` (the names a run may publish),
    work folder; empty for a new folder.

    A new run replaces these only when asked (--force or --resume): tables from another run are
    somebody's results.
    """
    if not out.is_dir():
        return []
    names = [n for n in (MANIFEST, *tables, WORK_DIR, JOURNAL) if (out / n).exists()]
    manifest = own_manifest(out) or {}
    names += [n for n in manifest.get("earlier", []) if n not in names and (out / n).exists()]
    return names


@contextmanager
def _signals_deferred() -> Iterator[list[int]]:
    """Hold SIGINT/SIGTERM for the few renames of a publish; the caller learns which arrived."""
    caught: list[int] = []
    previous = {}

    def hold(signum, frame) -> None:
        caught.append(signum)

    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, hold)
    except ValueError:  # not the main thread: signals cannot be held, the journal still protects
        previous = {}
    try:
        yield caught
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _move(tmp: Path, final: Path) -> None:
    if not tmp.exists():
        return  # done before an interruption
    if final.is_dir() and not final.is_symlink():
        old = final.with_name(f".{final.name}{_OLD_SUFFIX}")
        if old.exists():
            shutil.rmtree(old)
        os.replace(final, old)
        os.replace(tmp, final)
        shutil.rmtree(old, ignore_errors=True)
        return
    os.replace(tmp, final)


def _apply(out: Path, journal: dict[str, Any]) -> None:
    for tmp_name, final_name in journal["moves"]:
        _move(out / tmp_name, out / final_name)
    text = json.dumps(journal["manifest"], indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    atomic_write(out / MANIFEST, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    (out / JOURNAL).unlink()


def publish(out: Path, moves: list[tuple[Path, str]], manifest: dict[str, Any]) -> bool:
    """Rename the staged tables into place as one step and write the manifest.

    `moves`: (temporary path in `out`, final name). Returns True when SIGINT or SIGTERM arrived
    during the renames (they were held: the set is complete either way).
    """
    previous = own_manifest(out) or {}
    earlier = set(previous.get("earlier", [])) | set(previous.get("tables", {}))
    earlier -= {name for _, name in moves}
    journal = {
        "tool": TOOL,
        "moves": [(tmp.name, name) for tmp, name in moves],
        # tables of earlier runs in other formats stay in the folder: they are still never input
        "manifest": {"tool": TOOL, **manifest, "earlier": sorted(earlier)},
    }
    text = json.dumps(journal, ensure_ascii=False)
    with _signals_deferred() as caught:
        atomic_write(out / JOURNAL, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
        _apply(out, journal)
    return bool(caught)


def recover(out: Path) -> list[str]:
    """Finish an interrupted publish in `out` and remove the tool's leftover temporaries.

    Returns what was done, one line each (for the log). Only names with the tool's own prefixes
    and suffixes are removed.
    """
    done: list[str] = []
    journal = pending_journal(out)
    if journal is not None:
        _apply(out, journal)
        done.append(f"finished publishing the tables of an interrupted run in {out}")
    if not out.is_dir():
        return done
    for p in out.iterdir():
        if p.name.startswith(".") and p.name.endswith((_TMP_SUFFIX, _OLD_SUFFIX)):
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
            done.append(f"removed leftover temporary {p.name}")
    return done
