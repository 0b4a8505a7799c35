from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

# Under CI the property tests draw the same examples on every run (derandomize): a landing must not
# hang on which examples one run happened to draw. Local runs keep drawing fresh ones, which is where
# new failures are found; a failure found there prints its reproduction blob.
hypothesis_settings.register_profile(
    "ci-derandomized", derandomize=True, database=None, print_blob=True
)
hypothesis_settings.register_profile("local", print_blob=True)
hypothesis_settings.load_profile("ci-derandomized" if os.environ.get("CI") else "local")

SEED = ROOT / "seeds" / "000_42077914264d8127.txt"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture
def long_document_run(tmp_path, monkeypatch, seed_path):
    """Run the command with `--export EXPORTS` on the seed article as one document that the engine
    cuts into pieces (MAX_CHARS 800): returns (the raw text, the output folder)."""
    from pipeline import engine
    from pipeline.cli import main

    def run(exports: str) -> tuple[str, Path]:
        monkeypatch.setattr(engine, "MAX_CHARS", 800)
        src = tmp_path / "in"
        src.mkdir()
        raw = seed_path.read_text(encoding="utf-8")
        (src / "long.txt").write_text(raw, encoding="utf-8")
        out = tmp_path / "out"
        assert main(["extract", str(src), "--out", str(out), "--quiet", "--export", exports]) == 0
        return raw, out

    return run
