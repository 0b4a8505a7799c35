"""Where shipped models and lexicons live, found from the package itself (never the network)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "BackendMissing",
    "camel_data_dir",
    "data_dir",
    "lexicons_dir",
    "models_dir",
    "require_camel",
]

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


class BackendMissing(FileNotFoundError):
    """An optional backend's software or data is not installed. The message is one line that
    names what is missing and the command that installs it (the command line prints it and
    exits 2)."""


def camel_data_dir() -> Path:
    """Where camel-tools keeps its data: $CAMELTOOLS_DATA, else ~/.camel_tools (camel-tools' own
    rule, repeated here because importing `camel_tools.data` already needs the data)."""
    env = os.environ.get("CAMELTOOLS_DATA")
    return Path(env).expanduser().absolute() if env else Path.home() / ".camel_tools"


def require_camel(package: str) -> Path:
    """Check that camel-tools and its data catalogue are installed, before anything imports
    `camel_tools.ner` / `.morphology` / `.disambig` (each loads the catalogue when imported and,
    without it, tries to download it). Returns the data folder; raises BackendMissing naming
    `camel_data -i PACKAGE`."""
    import importlib.util

    if importlib.util.find_spec("camel_tools") is None:
        raise BackendMissing(
            f"camel-tools is not installed: pip install camel-tools && camel_data -i {package}"
        )
    root = camel_data_dir()
    if not (root / "catalogue.json").is_file():
        raise BackendMissing(
            f"camel-tools data is not installed (no catalogue.json in {root}): camel_data -i {package}"
        )
    return root
