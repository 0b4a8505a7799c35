"""One process environment for every trainer, so that a build writes the same bytes every time.

Why: seeds alone do not make a build repeatable. Python salts `hash()` per process (the iteration
order of sets and of anything keyed by them), and BLAS/OpenMP split float sums across however many
threads they start (the SVD of the tag clusters, sklearn's k-means), so the last bits of a result
depend on the machine's core count. `make train` exports the settings below; a trainer run by hand
(`python -m pipeline.training.X`) re-executes itself with them before it does any work.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

__all__ = ["BUILD_ENV", "pin_environment"]

BUILD_ENV: Mapping[str, str] = {
    "PYTHONHASHSEED": "0",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


def pin_environment(module: str) -> None:
    """Re-execute `python -m module ARGS` with `BUILD_ENV` unless this process already has it.

    Call it only under `if __name__ == "__main__":` (a test calling `main()` must not be replaced).
    Thread counts are read when numpy and sklearn load, and the hash seed when Python starts: both
    need a fresh process, not a change of `os.environ`.
    """
    if all(os.environ.get(k) == v for k, v in BUILD_ENV.items()):
        return
    env = {**os.environ, **BUILD_ENV}
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, "-m", module, *sys.argv[1:]], env)
