"""Loading questionnaire files into a registry, with errors that name file, item and problem.

Layout: ``questionnaires/<id>/v<version>.yaml``. A published version never
changes: ``questionnaires/published.lock`` records the SHA-256 of every
published file, and ``flask questionnaires check`` fails when one differs.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from orientamento.assessments.definitions import Questionnaire

FILE_PATTERN = re.compile(r"^v(\d+)\.yaml$")
LOCK_NAME = "published.lock"


class QuestionnaireError(Exception):
    """One or more questionnaire files are invalid."""


@dataclass(frozen=True)
class Registry:
    """Every version of every questionnaire, by (id, version)."""

    versions: dict[tuple[str, int], Questionnaire] = field(default_factory=dict)
    hashes: dict[tuple[str, int], str] = field(default_factory=dict)

    def get(self, questionnaire_id: str, version: int) -> Questionnaire | None:
        """A given version, or None."""
        return self.versions.get((questionnaire_id, version))

    def latest(self, questionnaire_id: str) -> Questionnaire | None:
        """The newest version of a questionnaire, or None."""
        found = [q for (qid, _), q in self.versions.items() if qid == questionnaire_id]
        return max(found, key=lambda q: q.version) if found else None

    def current(self) -> list[Questionnaire]:
        """The newest version of each questionnaire, in a stable order."""
        ids = sorted({qid for qid, _ in self.versions})
        return [q for q in (self.latest(qid) for qid in ids) if q is not None]


def _where(data: Any, location: tuple[Any, ...]) -> str:
    """Turn a pydantic error location into words, naming list entries by their id."""
    words: list[str] = []
    node = data
    for part in location:
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            label = node.get("id") if isinstance(node, dict) and node.get("id") else part + 1
            container = words.pop() if words else "entry"
            words.append(f"{container.removesuffix('s')} {label}")
        else:
            node = node.get(part) if isinstance(node, dict) else None
            words.append(str(part))
    return " > ".join(words) or "file"


def parse_file(path: Path) -> Questionnaire:
    """Parse and validate one file (QuestionnaireError names what is wrong)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise QuestionnaireError(f"{path}: cannot be read as UTF-8 YAML: {error}") from error
    if not isinstance(data, dict):
        raise QuestionnaireError(f"{path}: the file must hold a mapping (id, version, ...)")
    try:
        questionnaire = Questionnaire.model_validate(data)
    except ValidationError as error:
        lines = [f"{_where(data, tuple(e['loc']))}: {e['msg']}" for e in error.errors()]
        raise QuestionnaireError(f"{path}:\n  " + "\n  ".join(lines)) from error
    match = FILE_PATTERN.match(path.name)
    if path.parent.name != questionnaire.id or not match or int(match[1]) != questionnaire.version:
        raise QuestionnaireError(
            f"{path}: must be saved as {questionnaire.id}/v{questionnaire.version}.yaml"
        )
    return questionnaire


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_lock(directory: Path) -> dict[tuple[str, int], str]:
    """The published versions and their hashes."""
    lock = directory / LOCK_NAME
    entries: dict[tuple[str, int], str] = {}
    if lock.exists():
        for line in lock.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                qid, version, digest = line.split()
                entries[(qid, int(version))] = digest
    return entries


def load_registry(directory: Path) -> Registry:
    """Load and validate every questionnaire; raise with every problem found."""
    versions: dict[tuple[str, int], Questionnaire] = {}
    hashes: dict[tuple[str, int], str] = {}
    problems: list[str] = []
    for path in sorted(directory.glob("*/v*.yaml")):
        try:
            questionnaire = parse_file(path)
        except QuestionnaireError as error:
            problems.append(str(error))
            continue
        key = (questionnaire.id, questionnaire.version)
        versions[key] = questionnaire
        hashes[key] = file_hash(path)
    for key, digest in read_lock(directory).items():
        if key in hashes and hashes[key] != digest:
            problems.append(
                f"{directory / key[0] / f'v{key[1]}.yaml'}: version {key[1]} is published and "
                "must not change; save the edit as a new version"
            )
    if problems:
        raise QuestionnaireError("\n".join(problems))
    return Registry(versions, hashes)


def write_lock(directory: Path, registry: Registry) -> list[tuple[str, int]]:
    """Add versions not yet in the lock file; return the ones added."""
    lock = read_lock(directory)
    added = sorted(set(registry.hashes) - set(lock))
    for key in added:
        lock[key] = registry.hashes[key]
    lines = ["# Published questionnaire versions: id version sha256. Never edit a line."]
    lines += [f"{qid} {version} {digest}" for (qid, version), digest in sorted(lock.items())]
    (directory / LOCK_NAME).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return added
