"""Course kinds, EQF levels and subject areas: the catalogue's controlled vocabularies.

Sources:
- ITS Academy technological areas: DM MIM 20 October 2023 n. 203, art. 2 (ten areas).
- IeFP sectors: the economic-professional sectors (settori economico-professionali, SEP) of
  INAPP's Atlante del lavoro e delle qualificazioni, to which the national IeFP repertory
  (Accordo Stato-Regioni 1 August 2019) correlates each qualification.
- EQF levels: ITS Academy two-year EQF 5, three-year EQF 6; IFTS EQF 4; IeFP qualifica EQF 3,
  diploma professionale EQF 4 (L. 15 July 2022 n. 99 and the IeFP repertory).
"""

from __future__ import annotations

from orientamento.core.enums import LabelledEnum
from orientamento.core.i18n import lazy_gettext as _l


class CourseKind(LabelledEnum):
    """The four kinds of course in the directory."""

    ITS = "its", _l("ITS Academy")
    IFTS = "ifts", _l("IFTS")
    IEFP_QUALIFICA = "iefp_qualifica", _l("IeFP three-year qualification")
    IEFP_DIPLOMA = "iefp_diploma", _l("IeFP fourth-year diploma")


#: EQF levels each kind may carry.
KIND_EQF_LEVELS: dict[CourseKind, tuple[int, ...]] = {
    CourseKind.ITS: (5, 6),
    CourseKind.IFTS: (4,),
    CourseKind.IEFP_QUALIFICA: (3,),
    CourseKind.IEFP_DIPLOMA: (4,),
}

#: ITS Academy technological areas, in the decree's order.
ITS_AREAS = {
    "energy": _l("Energy"),
    "sustainable_mobility": _l("Sustainable mobility and logistics"),
    "chemistry_life": _l("Chemistry and new life technologies"),
    "agrifood": _l("Agri-food system"),
    "built_environment": _l("Housing and built environment"),
    "mechatronics": _l("Mechatronics"),
    "fashion": _l("Fashion system"),
    "business_services": _l("Services to businesses and non-profit organisations"),
    "culture_tourism": _l("Technologies for cultural heritage, the arts and tourism"),
    "ict_data": _l("Information, communication and data technology"),
}

#: IeFP economic-professional sectors used by IeFP courses.
IEFP_SECTORS = {
    "iefp_agriculture": _l("Agriculture, forestry and fishing"),
    "iefp_food": _l("Food production"),
    "iefp_chemistry": _l("Chemistry"),
    "iefp_wood": _l("Wood and furniture"),
    "iefp_fashion": _l("Textiles, clothing, footwear and fashion"),
    "iefp_mechanics": _l("Mechanics, machine production and maintenance, installations"),
    "iefp_construction": _l("Construction"),
    "iefp_printing": _l("Printing and publishing"),
    "iefp_it": _l("IT services"),
    "iefp_culture": _l("Cultural and entertainment services"),
    "iefp_retail": _l("Retail and distribution services"),
    "iefp_logistics": _l("Transport and logistics"),
    "iefp_tourism": _l("Tourism services"),
    "iefp_sport": _l("Recreation and sport services"),
    "iefp_personal_care": _l("Personal care services"),
    "iefp_business": _l("Business and administration services"),
}

AREA_LABELS = ITS_AREAS | IEFP_SECTORS


def areas_for_kind(kind: CourseKind) -> dict[str, object]:
    """Areas a course of this kind may belong to (ITS areas for ITS/IFTS, sectors for IeFP)."""
    if kind in (CourseKind.ITS, CourseKind.IFTS):
        return dict(ITS_AREAS)
    return dict(IEFP_SECTORS)
