"""Where shipped models and lexicons live, found from the package itself (never the network)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["models_dir", "lexicons_dir", "data_dir"]

_PACKAGE = Path(__file__).resolve().parent


def models_dir() -> Path:
    """`models/` beside the package (repo checkout or editable install); ARABIC_IE_MODELS overrides."""
    env = os.environ.get("ARABIC_IE_MODELS")
    return Path(env) if env else _PACKAGE.parent / "models"


def lexicons_dir() -> Path:
    """The small lexicon TSVs shipped inside the package."""
    return _PACKAGE / "lexicons"


def data_dir() -> Path:
    """Training/evaluation corpora (never needed at run time): DATA_DIR, default ../shared/data."""
    return Path(os.environ.get("DATA_DIR", _PACKAGE.parent.parent / "shared" / "data"))
