"""stanza models, loaded offline: the one loader behind the stanza tag backend (`--tagger stanza`)
and the stanza NER backend (`--ner stanza`).

Both read a stanza resources folder, the layout `stanza.download("ar", model_dir=DIR)` writes:
`resources.json` names the default Arabic package of each processor and what it depends on
(`ar/pretrain/*.pt`, `ar/forward_charlm/*.pt`, ...), the models lie in `ar/<processor>/<package>.pt`.
The folder is checked here first, so that a missing or half-downloaded model is one line naming the
download command (`BackendMissing`), not a stanza traceback. stanza never goes to the network
(`download_method=None`) and reads the project's own tokens (`tokenize_pretokenized=True`): its
tokenizer and MWT models are neither needed nor loaded.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pipeline.resources import BackendMissing

__all__ = ["download_command", "stanza_pipeline", "stanza_resources_dir"]

_WHAT = {"pos": "POS", "ner": "NER"}


def stanza_resources_dir() -> Path:
    """stanza's own default resources folder: $STANZA_RESOURCES_DIR, else ~/stanza_resources
    (stanza's rule, repeated here so that finding the folder does not import stanza)."""
    env = os.environ.get("STANZA_RESOURCES_DIR")
    return Path(env).expanduser() if env else Path.home() / "stanza_resources"


def download_command(model_dir: Path, processor: str) -> str:
    """The command that installs stanza's Arabic `processor` model (and what it depends on)."""
    return (
        f"python -c \"import stanza; stanza.download('ar', model_dir='{model_dir}', "
        f"processors='tokenize,{processor}')\""
    )


def _check_folder(model_dir: Path, processor: str) -> None:
    """Raise BackendMissing unless `model_dir` holds stanza's default Arabic `processor` model and
    every file its resources.json entry depends on."""
    what = f"stanza Arabic {_WHAT.get(processor, processor)} model"
    install = download_command(model_dir, processor)
    try:
        ar = json.loads((model_dir / "resources.json").read_text(encoding="utf-8"))["ar"]
        defaults = ar.get("packages", {}).get("default") or ar["default_processors"]
        package = defaults[processor]
        deps = ar.get(processor, {}).get(package, {}).get("dependencies") or []
        needed = [Path(processor, f"{package}.pt")]
        needed += [Path(d["model"], f"{d['package']}.pt") for d in deps]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise BackendMissing(f"no {what} in {model_dir}: {install}") from None
    missing = [str(p) for p in needed if not (model_dir / "ar" / p).is_file()]
    if missing:
        raise BackendMissing(
            f"the {what} in {model_dir} is incomplete (ar/{missing[0]} missing): {install}"
        )


def stanza_pipeline(model_dir: Path, processor: str, model_path: Path | None = None) -> Any:
    """An offline `stanza.Pipeline` running `processor` ("pos" or "ner") on pretokenized sentences.

    Without `model_path`, the default Arabic `processor` package of the resources folder
    `model_dir` (checked first: BackendMissing naming the download command when it is absent or
    incomplete). With `model_path`, that model file, without pretrained vectors (the project's own
    stanza POS model, `pipeline.training.stanza_padt`). A model stanza cannot load is a
    BackendMissing too, with stanza's reason.
    """
    try:
        import stanza
    except ImportError:
        raise BackendMissing(
            f"the stanza {_WHAT.get(processor, processor)} backend needs stanza: pip install stanza"
        ) from None
    options: dict[str, Any] = dict(
        dir=str(model_dir),
        processors=f"tokenize,{processor}",
        tokenize_pretokenized=True,
        download_method=None,
        logging_level="WARN",
        # CPU like the other backends: a CUDA context does not survive the fork of --jobs workers
        use_gpu=False,
    )
    if model_path is None:
        _check_folder(model_dir, processor)
    else:
        options[f"{processor}_model_path"] = str(model_path)
        options[f"{processor}_pretrain_path"] = None
    try:
        return stanza.Pipeline("ar", **options)
    except (KeyboardInterrupt, MemoryError):
        raise
    except Exception as exc:  # a corrupt or foreign file: one line, not stanza's traceback
        reason = f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"
        if model_path is not None:
            raise BackendMissing(f"stanza could not load {model_path} ({reason})") from exc
        raise BackendMissing(
            f"stanza could not load the Arabic {processor} model of {model_dir} ({reason}): "
            f"{download_command(model_dir, processor)}"
        ) from exc
