"""Every text the UI shows, in Bahasa Indonesia (default) and English.

Texts live in one module per part of the app (i18n/map.py, i18n/cameras.py, ...), each with a
`TEXT` dict of {key: {"id": ..., "en": ...}}; they are merged here, and a key defined twice is an
error at import, so two parts cannot silently overwrite each other's words.
"""
from __future__ import annotations

import importlib
import pkgutil

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
LANGUAGE_COOKIE = "bahasa"


def _merge_text_modules() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for key, entry in getattr(module, "TEXT", {}).items():
            if key in merged:
                raise ValueError(f"text key {key!r} is defined twice (again in i18n/{module_info.name}.py)")
            merged[key] = entry
    return merged


def normalise_language(value: str | None) -> str:
    """A supported language code; anything else (missing, hostile, unknown) falls back to Indonesian."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def reason(scope: str, code: str, args: dict, lang: str) -> str:
    """Why a row was refused, from the `code` and `args` a domain package gives (`{scope}.reason.{code}`
    in i18n/); "" for no code. The APIs answer in English: `partial(reason, "flood", lang="en")`."""
    return t(f"{scope}.reason.{code}", lang).format(**args) if code else ""


def t(key: str, lang: str) -> str:
    """The text for `key` in `lang`. A missing key shows itself, so a gap is visible, not fatal."""
    entry = TEXT.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry[DEFAULT_LANGUAGE]


def bundle(prefix: str, lang: str) -> dict[str, str]:
    """All texts whose key starts with `prefix`, keyed by the rest of the key (for the browser)."""
    return {key[len(prefix):]: t(key, lang) for key in TEXT if key.startswith(prefix)}


TEXT: dict[str, dict[str, str]] = _merge_text_modules()
