"""Model specs: what a risk model reads, predicts, explains and audits, as YAML data.

A spec names the input features (type, whether required, whether a person or a service can
change them, reason texts per direction and locale), the label, the id and time columns, the
protected attributes and the audit groups. Any column can declare its missing-value markers
(``missing: [".", "NA"]``), added to the spec-wide ``missing`` list; blank cells are always
missing. The loader refuses a spec that uses a protected attribute (or a column derived from
one) as an input. See docs/risk-model.md.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from orientamento.config import PROJECT_ROOT

SPECS_DIR = PROJECT_ROOT / "risk_specs"
LOCALES = ("it", "en", "ar")
#: A cell that reads as one of these (after trimming) is missing; a spec can only add markers.
Markers = list[str]


class SpecError(ValueError):
    """A spec file is invalid; the message says where."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Texts(_Frozen):
    """One text per locale; every locale is required."""

    it: str = Field(min_length=1)
    en: str = Field(min_length=1)
    ar: str = Field(min_length=1)

    def get(self, locale: str) -> str:
        """The text in ``locale``, falling back to Italian."""
        return str(getattr(self, locale, None) or self.it)


class Reasons(_Frozen):
    """What to say when a feature pushes the risk up, or down."""

    up: Texts
    down: Texts


class Feature(_Frozen):
    """One model input."""

    #: No double underscore: scikit-learn (and explain.py) use it to join transformer names.
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    type: Literal["numeric", "categorical", "boolean"]
    required: bool = True
    mutable: bool = False
    #: ``age``: years between ``birth_year`` (this column's source) and the time column.
    derive: Literal["age"] | None = None
    source: str | None = None
    missing: Markers = Field(default_factory=list)
    reasons: Reasons
    suggestion: Texts | None = None

    @model_validator(mode="after")
    def _check(self) -> Feature:
        if "__" in self.name:
            raise ValueError(f"{self.name}: a feature name cannot contain '__'")
        if self.suggestion is not None and not self.mutable:
            raise ValueError(f"{self.name}: only a mutable feature can carry a suggestion")
        if self.derive and not self.source:
            raise ValueError(f"{self.name}: a derived feature names its source column")
        return self

    @property
    def column(self) -> str:
        """The data column this feature is read from."""
        return self.source or self.name


class Label(_Frozen):
    """How the outcome is read: a set of positive values, or a number below (``below``) or
    at most (``at_most``) a threshold."""

    column: str
    positive: list[str] | None = None
    below: float | None = None
    at_most: float | None = None
    missing: Markers = Field(default_factory=list)
    #: When labels come from a later snapshot: the months between features and label.
    horizon_months: int | None = Field(default=None, ge=1, le=60)

    @model_validator(mode="after")
    def _one_rule(self) -> Label:
        rules = [r for r in (self.positive, self.below, self.at_most) if r is not None]
        if len(rules) != 1:
            raise ValueError("label: give exactly one of 'positive', 'below' or 'at_most'")
        return self


class AuditGroup(_Frozen):
    """A grouping the fairness audit reports on, optionally banded (numbers into ranges)."""

    name: str
    column: str
    derive: Literal["age"] | None = None
    bins: list[float] | None = None
    missing: Markers = Field(default_factory=list)


class BaselineTerm(_Frozen):
    """One term of the simple rule score the model is compared with."""

    feature: str
    direction: Literal["higher", "lower"] = "higher"
    equals: str | None = None


class Spec(_Frozen):
    """A whole model spec."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Texts
    description: Texts
    id: str
    time: str | None = None
    #: Hold-out: rows whose time value is >= this; default the latest time value.
    holdout_from: str | None = None
    label: Label
    features: list[Feature] = Field(min_length=1)
    protected: list[str] = Field(default_factory=list)
    audit: list[AuditGroup] = Field(default_factory=list)
    #: The simple rule the model is compared with; without one the card says there is none.
    baseline: list[BaselineTerm] = Field(default_factory=list)
    #: Markers of a missing value in every column (each column can add its own).
    missing: Markers = Field(default_factory=list)
    #: ``cross_validated``: Platt scaling on out-of-fold predictions of all training rows;
    #: ``latest``: the calibrator's intercept is then refitted on the latest labelled period
    #: before the hold-out only (its out-of-fold predictions, slope kept), for data whose base
    #: rate drifts (risk/calibration.py).
    calibration: Literal["cross_validated", "latest"] = "cross_validated"
    #: Share of people outreach can reach: recall and precision are reported at this k.
    capacity: float = Field(default=0.1, gt=0, lt=1)
    seed: int = 20261125
    intended_use: Texts
    out_of_scope: Texts
    #: What an outreach worker says on a call after a contract ended (outreach's call list).
    call_script: Texts | None = None

    @model_validator(mode="after")
    def _check(self) -> Spec:
        names = [f.name for f in self.features]
        if len(names) != len(set(names)):
            raise ValueError("features: a name appears twice")
        protected = set(self.protected)
        for feature in self.features:
            if feature.name in protected or feature.column in protected:
                raise ValueError(f"features: {feature.name} is a protected attribute and can "
                                 "never be a model input")
        reserved = {self.id, self.label.column} | ({self.time} if self.time else set())
        if reserved & {f.column for f in self.features if not f.derive}:
            raise ValueError("features: the id, time and label columns cannot be inputs")
        for term in self.baseline:
            if term.feature not in names:
                raise ValueError(f"baseline: {term.feature} is not a feature")
        if any(g.derive and not self.time for g in self.audit):
            raise ValueError("audit: an age band needs the time column")
        if self.calibration == "latest" and not self.time:
            raise ValueError("calibration: 'latest' needs the time column")
        return self

    @property
    def feature_names(self) -> list[str]:
        """Input names, in spec order."""
        return [f.name for f in self.features]

    def feature(self, name: str) -> Feature:
        """The feature called ``name``."""
        return next(f for f in self.features if f.name == name)

    def missing_markers(self, column: str) -> frozenset[str]:
        """The markers of a missing value in ``column``: spec-wide plus the column's own."""
        own: list[str] = []
        for feature in self.features:
            if feature.column == column:
                own += feature.missing
        for group in self.audit:
            if group.column == column:
                own += group.missing
        if self.label.column == column:
            own += self.label.missing
        return frozenset(m.strip() for m in [*self.missing, *own])


def parse_spec(source: str, where: str = "spec") -> Spec:
    """Parse and validate spec YAML; errors name the field."""
    try:
        raw: Any = yaml.safe_load(source)
    # PyYAML's resolvers raise more than YAMLError on odd scalars (a 13th month, "0x_") and
    # deep nesting recurses: any failure to read the file is the same answer.
    except (yaml.YAMLError, ValueError, TypeError, AttributeError, RecursionError) as error:
        raise SpecError(f"{where}: not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise SpecError(f"{where}: expected a mapping at the top level")
    try:
        return Spec.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'spec'}: {e['msg']}" for e in error.errors())
        raise SpecError(f"{where}: {problems}") from error


def spec_path(name_or_path: str) -> Path:
    """A spec file: a path, or the name of a spec shipped in ``risk_specs/``."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml"):
        return path
    return SPECS_DIR / f"{name_or_path}.yaml"


def load_spec(name_or_path: str) -> tuple[Spec, str]:
    """Load a spec; returns it with its source text (stored with each model version)."""
    path = spec_path(name_or_path)
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SpecError(f"{path}: cannot be read ({error.strerror})") from error
    return parse_spec(source, str(path)), source


def sha256_text(source: str) -> str:
    """SHA-256 of a text, hex."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()
