"""Demo catalogue of services: a few Milan services for young people, all marked demo.

The organisations are modelled on real kinds of Milan services (an employment centre, the
Informagiovani, an adult school, a youth hub...), but names carry "(demo)" and the addresses
are fictional ("Via Esempio"), so nobody mistakes them for the real offices.
"""

from __future__ import annotations

from datetime import time

from orientamento.support.fields import HoursRecord
from orientamento.support.models import AccessMode, EligibleStatus, HelpKind, OrganisationKind
from orientamento.support.models import Residence as R
from orientamento.support.openreferral import derived_uid
from orientamento.support.records import (
    Catalogue,
    LocationRecord,
    OrganisationRecord,
    ServiceRecord,
    SiteRecord,
)
from orientamento.support.services import Counts, apply_catalogue

MILANO = "015146"


def _hours(days: tuple[int, ...], opens: str, closes: str) -> tuple[HoursRecord, ...]:
    start, end = time.fromisoformat(opens), time.fromisoformat(closes)
    return tuple(HoursRecord(day, start, end) for day in days)


#: (key, name, kind, website, e-mail, phone, description)
ORGANISATIONS = (
    ("cpi", "Centro per l'Impiego di Milano (demo)", OrganisationKind.EMPLOYMENT_CENTRE,
     "https://example.org/demo/cpi", "cpi.milano@example.org", "02 0000 1001",
     "Servizio pubblico per il lavoro: iscrizione, colloqui di orientamento, offerte di lavoro "
     "e Garanzia Giovani."),
    ("informagiovani", "Informagiovani Milano (demo)", OrganisationKind.INFORMAGIOVANI,
     "https://example.org/demo/informagiovani", "informagiovani@example.org", "02 0000 1002",
     "Informazioni e consulenza per i giovani su studio, lavoro, volontariato e mobilità "
     "all'estero."),
    ("cpia", "CPIA 5 Milano (demo)", OrganisationKind.CPIA,
     "https://example.org/demo/cpia", "cpia5@example.org", "02 0000 1003",
     "Centro provinciale per l'istruzione degli adulti: corsi di italiano per stranieri e "
     "percorsi per il diploma di scuola media."),
    ("hub", "Spazio giovani Municipio 8 (demo)", OrganisationKind.YOUTH_HUB,
     "https://example.org/demo/spazio-giovani", "spaziogiovani8@example.org", "02 0000 1004",
     "Uno spazio aperto dove incontrare educatori e mentori, fare laboratori e progettare "
     "il proprio futuro."),
    ("cmd", "Centro Milano Donna Municipio 4 (demo)", OrganisationKind.CENTRO_MILANO_DONNA,
     "https://example.org/demo/centro-milano-donna", "cmd4@example.org", "02 0000 1005",
     "Orientamento al lavoro, ascolto e supporto psicologico per ragazze e donne."),
    ("gg", "Agenzia per il lavoro Garanzia Giovani (demo)", OrganisationKind.YOUTH_GUARANTEE,
     "https://example.org/demo/garanzia-giovani", "garanziagiovani@example.org",
     "02 0000 1006",
     "Operatore accreditato Garanzia Giovani: tirocini, corsi e accompagnamento al lavoro."),
)

#: (key, organisation key, address, postal code, municipio, latitude, longitude)
LOCATIONS = (
    ("cpi-centre", "cpi", "Via Esempio 1", "20121", 1, 45.4685, 9.1824),
    ("informagiovani-centre", "informagiovani", "Via Esempio 2", "20122", 1, 45.4627, 9.1946),
    ("cpia-north", "cpia", "Via Esempio 3", "20127", 2, 45.4960, 9.2160),
    ("cpia-south", "cpia", "Via Esempio 4", "20141", 5, 45.4330, 9.1890),
    ("hub-8", "hub", "Via Esempio 5", "20156", 8, 45.4990, 9.1370),
    ("cmd-4", "cmd", "Via Esempio 6", "20137", 4, 45.4520, 9.2280),
    ("gg-9", "gg", "Via Esempio 7", "20159", 9, 45.4950, 9.1890),
)

WEEKDAYS = (0, 1, 2, 3, 4)

#: (key, organisation key, name, help, ages, statuses, residence, languages, access,
#:  description, sites: ((location key, hours), ...))
SERVICES = (
    ("cpi-youth", "cpi", "Garanzia Giovani: primo colloquio (demo)",
     (HelpKind.ORIENTATION, HelpKind.JOB_SEARCH), (15, 29),
     (EligibleStatus.NEET, EligibleStatus.UNEMPLOYED), R.ANY, ("it", "en"), AccessMode.BOOKING,
     "Un colloquio per iscriverti a Garanzia Giovani e costruire il tuo percorso: lavoro, "
     "tirocinio o formazione.",
     (("cpi-centre", _hours(WEEKDAYS, "09:00", "12:30")
       + _hours((1, 3), "14:00", "16:00")),)),
    ("cpi-jobs", "cpi", "Sportello offerte di lavoro (demo)", (HelpKind.JOB_SEARCH,),
     (18, None), (EligibleStatus.ANY,), R.ANY, ("it", "en", "ar"), AccessMode.WALK_IN,
     "Consulta le offerte, prepara il curriculum con un operatore e candidati.",
     (("cpi-centre", _hours((0, 2, 4), "09:00", "13:00")),)),
    ("informagiovani-advice", "informagiovani", "Consulenza orientativa (demo)",
     (HelpKind.ORIENTATION, HelpKind.TRAINING), (14, 35), (EligibleStatus.ANY,), R.ANY,
     ("it", "en", "es"), AccessMode.WALK_IN,
     "Hai finito la scuola o l'hai lasciata? Un operatore ti aiuta a scegliere tra corsi, "
     "ITS, lavoro e servizio civile.",
     (("informagiovani-centre", _hours((0, 1, 2, 3), "14:00", "18:00")),)),
    ("cpia-italian", "cpia", "Corsi di italiano per stranieri (demo)",
     (HelpKind.ITALIAN_LANGUAGE, HelpKind.TRAINING), (16, None), (EligibleStatus.ANY,), R.ANY,
     ("it", "ar", "en", "fr", "zh"), AccessMode.BOOKING,
     "Corsi gratuiti di lingua italiana dal livello A1 al B1, con certificato finale.",
     (("cpia-north", _hours((0, 2), "18:00", "20:30")),
      ("cpia-south", _hours((1, 3), "09:00", "12:00")))),
    ("cpia-diploma", "cpia", "Diploma di scuola media per adulti (demo)", (HelpKind.TRAINING,),
     (16, None), (EligibleStatus.NEET, EligibleStatus.UNEMPLOYED), R.ANY, ("it",),
     AccessMode.BOOKING,
     "Un percorso serale per ottenere il diploma di primo ciclo e continuare a studiare.",
     (("cpia-north", _hours((0, 1, 2, 3), "18:00", "21:00")),)),
    ("hub-mentoring", "hub", "Mentori per il primo lavoro (demo)",
     (HelpKind.MENTORING, HelpKind.ORIENTATION), (16, 29), (EligibleStatus.NEET,), R.MILAN,
     ("it", "ar", "uk"), AccessMode.WALK_IN,
     "Incontri con un mentore che ti accompagna per tre mesi: obiettivi, contatti, "
     "colloqui.",
     (("hub-8", _hours((1, 3), "15:00", "19:00") + _hours((5,), "10:00", "13:00")),)),
    ("cmd-listening", "cmd", "Sportello di ascolto (demo)",
     (HelpKind.PSYCHOLOGICAL_SUPPORT, HelpKind.HOUSING, HelpKind.JOB_SEARCH), (16, None),
     (EligibleStatus.ANY,), R.MILAN, ("it", "es", "ar"), AccessMode.BOOKING,
     "Ascolto, sostegno psicologico e informazioni su casa e lavoro, in un luogo riservato.",
     (("cmd-4", _hours((0, 2, 4), "10:00", "16:00")),)),
    ("gg-internships", "gg", "Tirocini Garanzia Giovani (demo)",
     (HelpKind.JOB_SEARCH, HelpKind.TRAINING), (18, 29), (EligibleStatus.NEET,), R.ANY,
     ("it", "en"), AccessMode.REFERRAL_ONLY,
     "Tirocini retribuiti in aziende milanesi per chi ha aderito a Garanzia Giovani, su "
     "invio del Centro per l'Impiego.",
     (("gg-9", _hours((1, 3), "09:30", "13:00")),)),
)


def _uid(kind: str, key: str) -> str:
    return derived_uid("demo", kind, key)


def demo_catalogue() -> Catalogue:
    """The demo organisations, locations and services as records, with stable identifiers."""
    catalogue = Catalogue()
    for key, name, kind, website, email, phone, description in ORGANISATIONS:
        catalogue.organisations[_uid("organisation", key)] = OrganisationRecord(
            uid=_uid("organisation", key), name=name, kind=kind, website=website, email=email,
            phone=phone, description=description)
    for key, owner, address, postal_code, municipio, latitude, longitude in LOCATIONS:
        catalogue.locations[_uid("location", key)] = LocationRecord(
            uid=_uid("location", key), organisation_uid=_uid("organisation", owner),
            address=address, postal_code=postal_code, municipio=municipio, place_code=MILANO,
            latitude=latitude, longitude=longitude)
    for (key, owner, name, help_kinds, (low, high), statuses, residence, languages, access,
         description, sites) in SERVICES:
        organisation = catalogue.organisations[_uid("organisation", owner)]
        catalogue.services[_uid("service", key)] = ServiceRecord(
            uid=_uid("service", key), organisation_uid=organisation.uid, name=name,
            access=access, description=description, help_kinds=tuple(sorted(help_kinds)),
            min_age=low, max_age=high, statuses=tuple(sorted(statuses)), residence=residence,
            languages=tuple(sorted(languages)), email=organisation.email,
            phone=organisation.phone, website=organisation.website,
            sites=tuple(sorted((SiteRecord(uid=_uid("site", f"{key}/{where}"),
                                           location_uid=_uid("location", where),
                                           hours=tuple(sorted(hours)))
                                for where, hours in sites), key=lambda s: s.uid)))
    return catalogue


def seed_support() -> Counts:
    """Create or refresh the demo catalogue of services (seeding twice changes nothing).

    Needs the places reference table (the course demo loads it first); flushes, the caller
    commits.
    """
    return apply_catalogue(demo_catalogue(), demo=True)
