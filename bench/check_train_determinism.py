"""Check that `make train` writes the same bytes every time: rebuild in a copy and compare hashes.

    python bench/check_train_determinism.py --data ../shared/data                  # every step
    python bench/check_train_determinism.py --data ../shared/data --steps tag,ner_clusters
    python bench/check_train_determinism.py --compare OTHER_CHECKOUT              # no rebuild

The steps are the commands of the Makefile's `train` target (read from it, so the two cannot
drift), named by their module (build_date_lexicon, build_places, ner_lexicons, build_latin_names,
tag, ner_clusters, news_counts, ner, ner_student). They run, in the Makefile's order, in a temporary copy of
this working tree with the build environment (`pipeline.training.reproducible`); steps left out
keep the files copied from here. Then the sha256 of every file under models/ and
pipeline/lexicons/ (but the hand-written .md and .py files) is compared between here and the copy:
one line per file that differs, a summary, exit 1 on any difference. The full build takes as long as `make train` (~40 minutes on
two cores; ner_clusters is most of it).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.training.reproducible import BUILD_ENV  # noqa: E402

BUILT_DIRS = ("models", "pipeline/lexicons")
HAND_WRITTEN = (".md", ".py")
_STEP = re.compile(r"^\t\$\(PY\) -m (pipeline\.training\.(\w+))(.*)$")


def train_steps(makefile: Path = ROOT / "Makefile") -> list[tuple[str, list[str]]]:
    """(module short name, argv after `python`) of each command of the `train` target."""
    steps: list[tuple[str, list[str]]] = []
    inside = False
    for line in makefile.read_text(encoding="utf-8").splitlines():
        if re.match(r"^train:\s*setup\b", line):
            inside = True
            continue
        if inside:
            if not line.startswith("\t"):
                break
            m = _STEP.match(line)
            if m:
                args = m.group(3).split()
                steps.append((m.group(2), ["-m", m.group(1), *args]))
    return steps


def file_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file under BUILT_DIRS, keyed by path relative to root; the hand-written ones
    (model cards, SOURCES.md, the package's Python) and caches are left out."""
    out: dict[str, str] = {}
    for d in BUILT_DIRS:
        for p in sorted((root / d).rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts and p.suffix not in HAND_WRITTEN:
                out[p.relative_to(root).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def copy_tree(dest: Path) -> None:
    """The working tree's tracked and untracked (not ignored) files, as they are on disk."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


def rebuild(copy: Path, data: Path, wanted: list[str] | None) -> None:
    env = {**os.environ, **BUILD_ENV, "PYTHONPATH": str(copy), "DATA_DIR": str(data)}
    env.pop("ARABIC_IE_MODELS", None)
    steps = train_steps()
    unknown = set(wanted or ()) - {name for name, _ in steps}
    if unknown:
        sys.exit(f"unknown steps {sorted(unknown)}; the train target has {[n for n, _ in steps]}")
    for name, argv in steps:
        if wanted and name not in wanted:
            continue
        argv = [str(data) if a == "$(DATA_DIR)" else a for a in argv]
        t0 = time.time()
        print(f"rebuilding {name} ...", flush=True)
        subprocess.run([sys.executable, *argv], cwd=copy, env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        print(f"  {name} done in {time.time() - t0:.0f}s", flush=True)


def compare(a: Path, b: Path) -> int:
    ha, hb = file_hashes(a), file_hashes(b)
    diff = 0
    for rel in sorted(set(ha) | set(hb)):
        if ha.get(rel) != hb.get(rel):
            diff += 1
            state = "missing in copy" if rel not in hb else "new in copy" if rel not in ha else ""
            print(f"DIFFERENT {rel} {state}".rstrip())
    same = len(set(ha) & set(hb)) - sum(1 for r in set(ha) & set(hb) if ha[r] != hb[r])
    print(f"{same} files identical, {diff} different (under {', '.join(BUILT_DIRS)})")
    return 1 if diff else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("DATA_DIR", "../shared/data")))
    ap.add_argument("--steps", help="comma-separated steps to rebuild (default: all)")
    ap.add_argument("--compare", type=Path, help="compare with this checkout instead of rebuilding")
    ap.add_argument("--keep", type=Path, help="rebuild into this folder and keep it")
    args = ap.parse_args()
    if args.compare:
        sys.exit(compare(ROOT, args.compare))
    wanted = args.steps.split(",") if args.steps else None
    with tempfile.TemporaryDirectory(prefix="train-determinism-") as tmp:
        copy = args.keep or Path(tmp)
        copy.mkdir(parents=True, exist_ok=True)
        copy_tree(copy)
        rebuild(copy, args.data.resolve(), wanted)
        sys.exit(compare(ROOT, copy))


if __name__ == "__main__":
    main()
