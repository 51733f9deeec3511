"""The labour-demand CSV (docs/formats/labour-demand-csv.md): headers, column mappings and the
parsing of one row into a record or localized cell errors.

The file's own headers are matched to our fields case- and accent-insensitively, through the
canonical names, the built-in aliases of the published Excelsior-style tables and an explicit
mapping (``field=Header``) that wins over both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from orientamento.observatory.models import EducationAsked

FIELDS = ("occupation", "territory", "period", "hires", "hard_to_fill_pct", "education")
REQUIRED = ("occupation", "period", "hires")

#: Headers of the published tables (Excelsior's monthly bulletins and open data) we recognise.
ALIASES: dict[str, tuple[str, ...]] = {
    "occupation": ("professione", "codice professione", "gruppo professionale",
                   "cod professione", "cp2021", "cp 2021", "occupation_code"),
    "territory": ("provincia", "codice provincia", "cod provincia", "territorio",
                  "codice istat", "province"),
    "period": ("mese", "periodo", "month", "anno mese", "mese di riferimento"),
    "hires": ("entrate previste", "entrate", "assunzioni previste", "assunzioni",
              "planned hires"),
    "hard_to_fill_pct": ("difficile reperimento", "di difficile reperimento (%)",
                         "difficolta di reperimento (%)", "difficolta di reperimento",
                         "difficile reperimento (%)", "hard to fill (%)"),
    "education": ("titolo di studio", "livello di istruzione", "titolo richiesto",
                  "education level"),
}

#: Education levels as the published tables write them, folded (see ``fold``).
EDUCATION_WORDS: dict[str, EducationAsked] = {
    "totale": EducationAsked.ANY, "tutti": EducationAsked.ANY, "all": EducationAsked.ANY,
    "nessun titolo": EducationAsked.ANY,
    "scuola dell'obbligo": EducationAsked.COMPULSORY, "obbligo": EducationAsked.COMPULSORY,
    "qualifica o diploma professionale": EducationAsked.VOCATIONAL,
    "qualifica professionale": EducationAsked.VOCATIONAL, "iefp": EducationAsked.VOCATIONAL,
    "diploma": EducationAsked.UPPER_SECONDARY,
    "diploma di scuola secondaria superiore": EducationAsked.UPPER_SECONDARY,
    "its academy": EducationAsked.ITS, "its": EducationAsked.ITS,
    "istruzione tecnologica superiore": EducationAsked.ITS,
    "laurea": EducationAsked.UNIVERSITY, "universitario": EducationAsked.UNIVERSITY,
} | {level.value.replace("_", " "): level for level in EducationAsked}

OCCUPATION_CODE = re.compile(r"^[1-9](\.\d{1,2}){0,4}$")
#: ISTAT province code (015), comune code (015146) or a Milan municipio (015146-1 ... -9).
TERRITORY_CODE = re.compile(r"^\d{3}$|^\d{6}$|^\d{6}-[1-9]$")
PERIOD_PATTERNS = (re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})$"),
                   re.compile(r"^(?P<m>\d{1,2})[/.-](?P<y>\d{4})$"),
                   re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})$"))
THOUSANDS = re.compile(r"^\d{1,3}([.\s']\d{3})+$")
#: Oldest and newest months accepted: Excelsior starts in 1997; a plan is at most 3 years out.
FIRST_YEAR, LAST_YEAR = 1997, 2100
MAX_HIRES = 10_000_000


def fold(text: str) -> str:
    """Lower-case, accents removed, inner spaces collapsed: how headers and words compare."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("_", " ").split())


class MappingProblem(ValueError):
    """A column mapping or a header row that cannot be used."""


def parse_mapping(lines: Iterable[str]) -> dict[str, str]:
    """``field=Header`` lines (blank lines ignored) as {field: header}."""
    mapping: dict[str, str] = {}
    for line in lines:
        if not line.strip():
            continue
        name, sep, header = line.partition("=")
        name = name.strip()
        if not sep or name not in FIELDS or not header.strip():
            raise MappingProblem(_(
                "The mapping \"%(line)s\" is not field=Header with a field among %(fields)s.",
                line=line.strip()[:80], fields=", ".join(FIELDS)))
        mapping[name] = header.strip()
    return mapping


def match_headers(headers: list[str], mapping: Mapping[str, str]) -> dict[str, int]:
    """The column index of each field found in the header row; a MappingProblem when a
    required field or a mapped header is missing, or two columns claim one field."""
    folded = [fold(h) for h in headers]
    found: dict[str, int] = {}
    for name in FIELDS:
        if name in mapping:
            wanted = fold(mapping[name])
            if wanted not in folded:
                raise MappingProblem(_("The mapped column \"%(header)s\" is not in the header "
                                       "row.", header=mapping[name][:80]))
            found[name] = folded.index(wanted)
            continue
        candidates = (fold(name), *(fold(a) for a in ALIASES[name]))
        hits = [i for i, h in enumerate(folded) if h in candidates]
        if len(hits) > 1:
            raise MappingProblem(_("Several columns could be \"%(field)s\": map one with "
                                   "%(field)s=Header.", field=name))
        if hits:
            found[name] = hits[0]
    missing = [name for name in REQUIRED if name not in found]
    if missing:
        raise MappingProblem(_("The header row lacks the column(s) %(fields)s (or map them "
                               "with field=Header).", fields=", ".join(missing)))
    return found


@dataclass(frozen=True)
class DemandRecord:
    """One valid row of the file."""

    occupation_code: str
    territory: str
    period: date
    education: EducationAsked
    hires: int
    hard_to_fill_pct: float | None

    @property
    def key(self) -> tuple[str, str, date, EducationAsked]:
        """What identifies the row: a second row with the same key is an error."""
        return (self.occupation_code, self.territory, self.period, self.education)


def _period(text: str) -> date | None:
    for pattern in PERIOD_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month = int(match["y"]), int(match["m"])
            if FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12:
                return date(year, month, 1)
    return None


def _count(text: str) -> int | None:
    if THOUSANDS.match(text):
        text = re.sub(r"[.\s']", "", text)
    return int(text) if text.isascii() and text.isdigit() else None


def _percent(text: str) -> float | None:
    cleaned = text.rstrip("%").strip().replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if 0 <= value <= 100 else None


def parse_row(cells: Mapping[str, str], default_territory: str,
              errors: list[tuple[str, str]]) -> DemandRecord | None:
    """A record from the row's cells by field, or None with (field, message) added to
    ``errors``."""
    start = len(errors)
    code = cells.get("occupation", "").strip()
    if not OCCUPATION_CODE.match(code):
        errors.append(("occupation", _("\"%(value)s\" is not a CP2021 occupation code "
                                       "(such as 3.1.2 or 6.2.3.1.0).", value=code[:40])))
    territory = cells.get("territory", "").strip() or default_territory
    if not TERRITORY_CODE.match(territory):
        errors.append(("territory", _("\"%(value)s\" is not an ISTAT province (015), comune "
                                      "(015146) or municipio (015146-3) code.",
                                      value=territory[:40])))
    period = _period(cells.get("period", "").strip())
    if period is None:
        errors.append(("period", _("The month must be written YYYY-MM (such as 2026-03), "
                                   "between %(first)d and %(last)d.",
                                   first=FIRST_YEAR, last=LAST_YEAR)))
    hires = _count(cells.get("hires", "").strip())
    if hires is None or hires > MAX_HIRES:
        errors.append(("hires", _("Planned hires must be a whole number from 0 to "
                                  "%(most)d.", most=MAX_HIRES)))
    pct_text = cells.get("hard_to_fill_pct", "").strip()
    pct = _percent(pct_text) if pct_text else None
    if pct_text and pct is None:
        errors.append(("hard_to_fill_pct", _("The share hard to fill must be a percentage "
                                             "from 0 to 100.")))
    word = fold(cells.get("education", ""))
    education = EDUCATION_WORDS.get(word) if word else EducationAsked.ANY
    if education is None:
        errors.append(("education", _("Unknown education level \"%(value)s\".",
                                      value=cells.get("education", "").strip()[:40])))
    if len(errors) > start or period is None or hires is None or education is None:
        return None
    return DemandRecord(code, territory, period, education, hires, pct)
