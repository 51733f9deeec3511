"""The call script: what to say, in the person's language, from the risk spec's texts."""

from __future__ import annotations

from functools import cache

from orientamento.risk.spec import Spec, Texts, load_spec

#: The spec whose ``call_script`` the campaign reads (the contract-ended rule's records).
SCRIPT_SPEC = "neet"
#: Languages the script is written in (every locale of the spec's texts); any other falls
#: back to Italian.
SCRIPT_LANGUAGES = tuple(Texts.model_fields)


@cache
def _spec() -> Spec:
    return load_spec(SCRIPT_SPEC)[0]


def script_language(language: str | None) -> str:
    """The language the script is read in: the person's, when the spec has it, else Italian."""
    return language if language in SCRIPT_LANGUAGES else "it"


def call_script(language: str | None) -> list[str]:
    """The script's paragraphs in ``script_language(language)`` (empty when the spec has
    none)."""
    texts = _spec().call_script
    if texts is None:
        return []
    return [line for line in texts.get(script_language(language)).splitlines() if line.strip()]
