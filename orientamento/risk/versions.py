"""Model versions: saved with skops (never pickle), hashed, checked on every load.

skops refuses to load any type it is not told to trust; we trust only types from
scikit-learn and numpy, and only after the file's SHA-256 matches the one stored when it was
trained. A tampered or foreign file is refused before any of it is executed.
"""

from __future__ import annotations

import hashlib
from typing import Any

import skops.io as sio

from orientamento.auth.audit import record
from orientamento.auth.models import AuditAction, User
from orientamento.core.errors import Conflict
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.extensions import db
from orientamento.risk import queries
from orientamento.risk.card import card_markdown
from orientamento.risk.models import ModelVersion, VersionStatus
from orientamento.risk.spec import Spec, sha256_text
from orientamento.risk.training import Trained

TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.")


class ModelFileError(RuntimeError):
    """A stored model file does not match its hash or holds untrusted types."""


def save_version(spec: Spec, spec_source: str, trained: Trained, data_sha256: str,
                 actor: User | None = None) -> ModelVersion:
    """Store a trained model as a new draft version with its card."""
    blob = sio.dumps(trained.artefact())
    version = ModelVersion(
        spec_name=spec.name, algorithm=trained.algorithm, status=VersionStatus.DRAFT,
        spec_yaml=spec_source, spec_sha256=sha256_text(spec_source), data_sha256=data_sha256,
        model_file=blob, model_sha256=hashlib.sha256(blob).hexdigest(),
        metrics=trained.metrics, card_markdown="",
        created_by_id=actor.id if actor else None)
    db.session.add(version)
    db.session.flush()
    version.card_markdown = card_markdown(spec, version)
    record(AuditAction.RISK_MODEL_TRAINED, actor=actor, version_id=version.id,
           algorithm=trained.algorithm)
    return version


def load_artefact(version: ModelVersion) -> dict[str, Any]:
    """The saved model of a version, after checking its hash and the types it holds."""
    blob = version.model_file
    if hashlib.sha256(blob).hexdigest() != version.model_sha256:
        raise ModelFileError(f"version {version.id}: the model file does not match its hash")
    try:
        untrusted = sio.get_untrusted_types(data=blob)
    except Exception as error:
        raise ModelFileError(f"version {version.id}: not a skops file ({error})") from error
    foreign = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
    if foreign:
        raise ModelFileError(f"version {version.id}: untrusted types {', '.join(foreign)}")
    artefact: dict[str, Any] = sio.loads(blob, trusted=untrusted)
    return artefact


def require_active_version(spec_name: str) -> ModelVersion:
    """The active version of a spec, or a Conflict saying none is active."""
    version = queries.active_version(spec_name)
    if version is None:
        raise Conflict(_l("No active model version: an administrator must activate one."))
    return version
