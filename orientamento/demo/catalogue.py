"""A fictitious demo catalogue of ITS Academy, IFTS and IeFP courses around Milan.

Pure and deterministic: no database, no app. Providers, titles and descriptions are
invented for the demo; rows use the course import format, every value a string.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import NamedTuple

from orientamento.courses.areas import IEFP_SECTORS, KIND_EQF_LEVELS, CourseKind

SEED = 20260901
MILANO = "015146"


class _Provider(NamedTuple):
    code: str
    name: str
    kind: str
    municipality: str
    areas: tuple[str, ...]  # ITS areas (ITS or IFTS courses) and IeFP sectors


class _Course(NamedTuple):
    provider: int
    kind: CourseKind
    area: str
    title: str
    title_en: str


_FOUNDATION, _CENTRE = "its_foundation", "training_centre"
_PROVIDERS = (
    _Provider("DEMO-ITS-MECC", "Fondazione ITS Demo Meccatronica Lombardia", _FOUNDATION,
              "Sesto San Giovanni", ("mechatronics", "energy")),
    _Provider("DEMO-ITS-DIGI", "Fondazione ITS Demo Tecnologie Digitali Milano", _FOUNDATION,
              "Milano", ("ict_data", "business_services")),
    _Provider("DEMO-ITS-MODA", "Fondazione ITS Demo Moda e Design", _FOUNDATION,
              "Milano", ("fashion", "culture_tourism")),
    _Provider("DEMO-ITS-MOBI", "Fondazione ITS Demo Mobilità Sostenibile", _FOUNDATION,
              "Segrate", ("sustainable_mobility",)),
    _Provider("DEMO-ITS-VITA", "Fondazione ITS Demo Nuove Tecnologie della Vita", _FOUNDATION,
              "Bresso", ("chemistry_life",)),
    _Provider("DEMO-ITS-AGRI", "Fondazione ITS Demo Agroalimentare Sud Milano", _FOUNDATION,
              "Abbiategrasso", ("agrifood",)),
    _Provider("DEMO-ITS-TURI", "Fondazione ITS Demo Turismo e Cultura", _FOUNDATION,
              "Milano", ("culture_tourism", "business_services")),
    _Provider("DEMO-ITS-CASA", "Fondazione ITS Demo Casa e Ambiente Costruito", _FOUNDATION,
              "Legnano", ("built_environment", "energy")),
    _Provider("DEMO-CFP-SESTO", "Centro di Formazione Demo Sesto", _CENTRE,
              "Sesto San Giovanni", ("iefp_mechanics", "iefp_it", "mechatronics")),
    _Provider("DEMO-CFP-RHO", "Centro di Formazione Demo Rho", _CENTRE,
              "Rho", ("iefp_logistics", "iefp_retail", "sustainable_mobility")),
    _Provider("DEMO-CFP-CINISELLO", "Centro di Formazione Demo Cinisello", _CENTRE,
              "Cinisello Balsamo", ("iefp_tourism", "iefp_food", "agrifood")),
    _Provider("DEMO-CFP-ROZZANO", "Centro di Formazione Demo Rozzano", _CENTRE,
              "Rozzano", ("iefp_personal_care", "iefp_fashion", "fashion")),
    _Provider("DEMO-CFP-LEGNANO", "Centro di Formazione Demo Alto Milanese", _CENTRE, "Legnano",
              ("iefp_mechanics", "iefp_construction", "iefp_wood", "built_environment")),
    _Provider("DEMO-CFP-MAGENTA", "Centro di Formazione Demo Magenta", _CENTRE,
              "Magenta", ("iefp_agriculture", "iefp_food")),
    _Provider("DEMO-CFP-MI-NORD", "Centro di Formazione Demo Milano Nord", _CENTRE, "Milano",
              ("iefp_printing", "iefp_culture", "iefp_it", "ict_data")),
    _Provider("DEMO-CFP-MI-SUD", "Centro di Formazione Demo Milano Sud", _CENTRE, "Milano",
              ("iefp_personal_care", "iefp_business", "iefp_tourism", "business_services")),
    _Provider("DEMO-CFP-PIOLTELLO", "Centro di Formazione Demo Martesana", _CENTRE,
              "Pioltello", ("iefp_chemistry", "iefp_logistics", "chemistry_life")),
    _Provider("DEMO-CFP-SDONATO", "Centro di Formazione Demo San Donato", _CENTRE,
              "San Donato Milanese", ("iefp_business", "iefp_it", "energy")),
    _Provider("DEMO-CFP-CORSICO", "Centro di Formazione Demo Corsico", _CENTRE,
              "Corsico", ("iefp_sport", "iefp_tourism", "culture_tourism")),
    _Provider("DEMO-CFP-PADERNO", "Centro di Formazione Demo Paderno Dugnano", _CENTRE,
              "Paderno Dugnano", ("iefp_mechanics", "iefp_construction", "energy")),
    _Provider("DEMO-CFP-CASTANO", "Centro di Formazione Demo Castano Primo", _CENTRE,
              "Castano Primo", ("iefp_wood", "iefp_agriculture", "iefp_sport")),
    _Provider("DEMO-CFP-MELZO", "Centro di Formazione Demo Melzo", _CENTRE,
              "Melzo", ("iefp_retail", "iefp_personal_care", "iefp_printing")),
)

DEMO_CATALOGUE_PROVIDERS: tuple[dict[str, str], ...] = tuple(
    {"code": p.code, "name": p.name, "kind": p.kind, "municipality": p.municipality}
    for p in _PROVIDERS
)

#: Typical interest profile (R, I, A, S, E, C) per area; the top letter leads by >= 0.10.
AREA_RIASEC: dict[str, tuple[float, float, float, float, float, float]] = {
    "energy": (0.80, 0.62, 0.20, 0.25, 0.35, 0.48),
    "sustainable_mobility": (0.62, 0.35, 0.15, 0.35, 0.48, 0.78),
    "chemistry_life": (0.55, 0.85, 0.20, 0.35, 0.25, 0.58),
    "agrifood": (0.75, 0.55, 0.30, 0.30, 0.48, 0.45),
    "built_environment": (0.80, 0.55, 0.45, 0.25, 0.40, 0.52),
    "mechatronics": (0.86, 0.66, 0.20, 0.20, 0.30, 0.45),
    "fashion": (0.50, 0.25, 0.85, 0.30, 0.58, 0.35),
    "business_services": (0.15, 0.35, 0.25, 0.45, 0.66, 0.82),
    "culture_tourism": (0.30, 0.40, 0.76, 0.62, 0.55, 0.30),
    "ict_data": (0.50, 0.85, 0.35, 0.20, 0.30, 0.62),
    "iefp_agriculture": (0.85, 0.40, 0.25, 0.30, 0.35, 0.35),
    "iefp_food": (0.80, 0.30, 0.48, 0.35, 0.35, 0.45),
    "iefp_chemistry": (0.72, 0.58, 0.15, 0.20, 0.25, 0.55),
    "iefp_wood": (0.85, 0.35, 0.58, 0.20, 0.30, 0.35),
    "iefp_fashion": (0.64, 0.20, 0.78, 0.30, 0.40, 0.35),
    "iefp_mechanics": (0.90, 0.50, 0.15, 0.20, 0.25, 0.45),
    "iefp_construction": (0.90, 0.40, 0.30, 0.25, 0.30, 0.40),
    "iefp_printing": (0.50, 0.30, 0.80, 0.30, 0.40, 0.48),
    "iefp_it": (0.60, 0.72, 0.30, 0.30, 0.25, 0.50),
    "iefp_culture": (0.55, 0.30, 0.85, 0.45, 0.35, 0.25),
    "iefp_retail": (0.30, 0.20, 0.35, 0.62, 0.80, 0.50),
    "iefp_logistics": (0.64, 0.30, 0.10, 0.30, 0.40, 0.76),
    "iefp_tourism": (0.55, 0.25, 0.40, 0.76, 0.58, 0.35),
    "iefp_sport": (0.62, 0.30, 0.30, 0.85, 0.50, 0.20),
    "iefp_personal_care": (0.55, 0.25, 0.64, 0.76, 0.45, 0.30),
    "iefp_business": (0.15, 0.30, 0.20, 0.40, 0.55, 0.85),
}

#: Specialisations per ITS area: "Tecnico superiore <it>" / "Higher technician <en>".
ITS_SPECIALISATIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "energy": (
        ("per la gestione di impianti da fonti rinnovabili", "for renewable energy plants"),
        ("per l'efficienza energetica degli edifici", "for energy efficiency in buildings"),
        ("per le reti elettriche intelligenti", "for smart electricity grids"),
        ("per le comunità energetiche e l'autoconsumo", "for energy communities"),
        ("per i sistemi di accumulo e la ricarica elettrica", "for storage and EV charging"),
        ("per l'audit e la gestione dell'energia", "for energy auditing and management"),
    ),
    "sustainable_mobility": (
        ("per la logistica integrata e la supply chain", "for integrated logistics"),
        ("per la gestione del trasporto pubblico locale", "for local public transport"),
        ("per la manutenzione di aeromobili", "for aircraft maintenance"),
        ("per la logistica dell'ultimo miglio", "for last-mile logistics"),
        ("per la manutenzione di veicoli elettrici e ibridi", "for electric and hybrid vehicles"),
        ("per i servizi aeroportuali", "for airport services"),
    ),
    "chemistry_life": (
        ("per le biotecnologie industriali", "for industrial biotechnology"),
        ("per la produzione farmaceutica", "for pharmaceutical production"),
        ("per i dispositivi medici", "for medical devices"),
        ("per la cosmetica e i prodotti per la persona", "for cosmetics and personal care"),
        ("per il laboratorio di analisi chimiche e ambientali", "for chemical analysis labs"),
        ("per la chimica verde e i materiali sostenibili", "for green chemistry"),
    ),
    "agrifood": (
        ("per la trasformazione e la sicurezza alimentare", "for food processing and safety"),
        ("per l'agricoltura di precisione", "for precision agriculture"),
        ("per la filiera lattiero-casearia", "for the dairy supply chain"),
        ("per la ristorazione collettiva e la nutrizione", "for institutional catering"),
        ("per il marketing dei prodotti agroalimentari", "for agri-food marketing"),
        ("per la gestione sostenibile delle risorse agricole", "for sustainable farming"),
    ),
    "built_environment": (
        ("per la gestione del cantiere e il BIM", "for site management and BIM"),
        ("per la riqualificazione energetica degli edifici", "for energy retrofit of buildings"),
        ("per la domotica e gli edifici intelligenti", "for home automation"),
        ("per il rilievo digitale e la topografia", "for digital surveying"),
        ("per la sicurezza nei cantieri", "for construction site safety"),
        ("per il facility management", "for facility management"),
    ),
    "mechatronics": (
        ("per la progettazione di sistemi meccatronici", "for mechatronic system design"),
        ("per la robotica collaborativa", "for collaborative robotics"),
        ("per la manutenzione predittiva degli impianti", "for predictive maintenance"),
        ("per la produzione additiva e la prototipazione", "for additive manufacturing"),
        ("per la programmazione di macchine a controllo numerico", "for CNC programming"),
        ("per la digitalizzazione dei processi produttivi", "for digital manufacturing"),
    ),
    "fashion": (
        ("per la modellistica e la prototipazione dei capi", "for garment pattern-making"),
        ("per il product management della moda", "for fashion product management"),
        ("per la maglieria e i tessuti innovativi", "for knitwear and innovative textiles"),
        ("per la pelletteria e gli accessori", "for leather goods and accessories"),
        ("per la comunicazione e il retail della moda", "for fashion communication and retail"),
        ("per la sostenibilità nella filiera tessile", "for sustainable textiles"),
    ),
    "business_services": (
        ("per l'amministrazione e il controllo di gestione", "for administration and control"),
        ("per la gestione delle risorse umane", "for human resources management"),
        ("per il marketing digitale e l'e-commerce", "for digital marketing and e-commerce"),
        ("per i servizi finanziari e assicurativi", "for financial and insurance services"),
        ("per la gestione degli enti del terzo settore", "for non-profit management"),
        ("per l'internazionalizzazione delle imprese", "for business internationalisation"),
    ),
    "culture_tourism": (
        ("per la gestione dell'accoglienza turistica", "for tourism hospitality management"),
        ("per i beni culturali e le tecnologie digitali", "for digital cultural heritage"),
        ("per l'organizzazione di eventi e spettacoli", "for event management"),
        ("per la produzione audiovisiva e multimediale", "for audiovisual production"),
        ("per il turismo sostenibile e il marketing territoriale", "for sustainable tourism"),
        ("per la gestione di musei e spazi espositivi", "for museum management"),
    ),
    "ict_data": (
        ("per lo sviluppo di applicazioni web e mobile", "for web and mobile development"),
        ("per la sicurezza informatica", "for cybersecurity"),
        ("per l'analisi dei dati e l'intelligenza artificiale", "for data analytics and AI"),
        ("per le infrastrutture cloud e le reti", "for cloud infrastructure and networks"),
        ("per la progettazione dell'esperienza utente", "for user experience design"),
        ("per l'Internet delle cose e i sistemi embedded", "for IoT and embedded systems"),
    ),
}

#: IeFP titles per sector: (three-year qualifications, fourth-year diplomas).
IEFP_TITLES: dict[str, tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]] = {
    "iefp_agriculture": (
        (("Operatore agricolo – orticoltura e florovivaismo", "Farm operator – horticulture"),
         ("Operatore del verde urbano e dei giardini", "Urban green spaces operator")),
        (("Tecnico agricolo – gestione dell'azienda agraria", "Agricultural technician"),
         ("Tecnico del verde e del paesaggio", "Green spaces and landscape technician"))),
    "iefp_food": (
        (("Operatore delle produzioni alimentari – panificazione", "Food operator – bakery"),
         ("Operatore delle produzioni alimentari – pasticceria", "Food operator – pastry")),
        (("Tecnico della trasformazione agroalimentare", "Food processing technician"),
         ("Tecnico di panificazione e pasticceria artigianale", "Artisan bakery technician"))),
    "iefp_chemistry": (
        (("Operatore delle lavorazioni chimiche", "Chemical processing operator"),
         ("Operatore di laboratorio chimico", "Chemistry laboratory operator")),
        (("Tecnico dei processi chimici e di laboratorio", "Chemical process technician"),)),
    "iefp_wood": (
        (("Operatore del legno – falegnameria e arredo", "Wood operator – joinery and furniture"),
         ("Operatore del legno – restauro del mobile", "Wood operator – furniture restoration")),
        (("Tecnico del legno e dell'arredamento", "Wood and furnishing technician"),)),
    "iefp_fashion": (
        (("Operatore dell'abbigliamento – sartoria", "Clothing operator – tailoring"),
         ("Operatore delle calzature e della pelletteria", "Footwear and leather operator")),
        (("Tecnico dell'abbigliamento e della modellistica", "Clothing and pattern technician"),
         ("Tecnico degli accessori moda", "Fashion accessories technician"))),
    "iefp_mechanics": (
        (("Operatore meccanico – macchine utensili", "Mechanical operator – machine tools"),
         ("Operatore elettrico – impianti civili e industriali", "Electrical installer"),
         ("Operatore alla riparazione dei veicoli a motore", "Motor vehicle repair operator")),
        (("Tecnico per l'automazione industriale", "Industrial automation technician"),
         ("Tecnico riparatore di veicoli a motore", "Motor vehicle repair technician"),
         ("Tecnico degli impianti elettrici", "Electrical systems technician"))),
    "iefp_construction": (
        (("Operatore edile – costruzioni e finiture", "Building operator – construction"),
         ("Operatore degli impianti termoidraulici", "Plumbing and heating operator")),
        (("Tecnico edile – cantiere e sicurezza", "Building technician – site and safety"),
         ("Tecnico degli impianti termici", "Heating systems technician"))),
    "iefp_printing": (
        (("Operatore grafico – stampa e allestimento", "Graphics operator – printing"),
         ("Operatore grafico – multimedia", "Graphics operator – multimedia")),
        (("Tecnico grafico", "Graphics technician"),
         ("Tecnico della comunicazione visiva", "Visual communication technician"))),
    "iefp_it": (
        (("Operatore informatico – assistenza e reti", "IT operator – support and networks"),
         ("Operatore informatico – siti e contenuti web", "IT operator – websites")),
        (("Tecnico informatico – sistemi e reti", "IT technician – systems and networks"),
         ("Tecnico dei servizi digitali per le imprese", "Digital business services technician"))),
    "iefp_culture": (
        (("Operatore dello spettacolo – allestimenti scenici", "Stage crew operator – sets"),
         ("Operatore dello spettacolo – audio e luci", "Stage crew operator – sound and light")),
        (("Tecnico dello spettacolo dal vivo", "Live performance technician"),
         ("Tecnico della produzione audiovisiva", "Audiovisual production technician"))),
    "iefp_retail": (
        (("Operatore ai servizi di vendita", "Sales services operator"),
         ("Operatore del punto vendita e dell'e-commerce", "Shop and e-commerce operator")),
        (("Tecnico commerciale delle vendite", "Sales technician"),
         ("Tecnico del visual merchandising", "Visual merchandising technician"))),
    "iefp_logistics": (
        (("Operatore dei servizi logistici", "Logistics services operator"),
         ("Operatore di magazzino e spedizioni", "Warehouse and shipping operator")),
        (("Tecnico dei servizi logistici", "Logistics services technician"),)),
    "iefp_tourism": (
        (("Operatore della ristorazione – cucina", "Catering operator – kitchen"),
         ("Operatore della ristorazione – sala e bar", "Catering operator – dining room and bar")),
        (("Tecnico di cucina", "Kitchen technician"),
         ("Tecnico dell'accoglienza turistica", "Tourist reception technician"))),
    "iefp_sport": (
        (("Operatore ai servizi per lo sport", "Sport services operator"),
         ("Operatore dell'animazione sportiva e ricreativa", "Sport and leisure animator")),
        (("Tecnico dei servizi sportivi e ricreativi", "Sport and leisure services technician"),)),
    "iefp_personal_care": (
        (("Operatore del benessere – acconciatura", "Wellness operator – hairdressing"),
         ("Operatore del benessere – estetica", "Wellness operator – beauty care")),
        (("Tecnico dell'acconciatura", "Hairdressing technician"),
         ("Tecnico dei trattamenti estetici", "Beauty treatments technician"))),
    "iefp_business": (
        (("Operatore amministrativo segretariale", "Administrative and secretarial operator"),
         ("Operatore di segreteria e front office", "Front office operator")),
        (("Tecnico dei servizi d'impresa", "Business services technician"),
         ("Tecnico della contabilità", "Accounting technician"))),
}

#: What the course teaches, two infinitive phrases per area (Italian ones start with a consonant).
AREA_FOCUS: dict[str, tuple[tuple[str, str], ...]] = {
    "energy": (
        ("progettare e gestire impianti fotovoltaici, eolici e a biomassa",
         "design and run photovoltaic, wind and biomass plants"),
        ("misurare i consumi e proporre interventi di risparmio energetico",
         "measure energy use and propose energy-saving measures")),
    "sustainable_mobility": (
        ("pianificare flussi di merci e persone riducendo costi ed emissioni",
         "plan flows of goods and people while cutting costs and emissions"),
        ("gestire magazzini, trasporti e servizi di mobilità con strumenti digitali",
         "manage warehouses, transport and mobility services with digital tools")),
    "chemistry_life": (
        ("condurre analisi di laboratorio secondo le norme di qualità",
         "carry out laboratory analyses following quality standards"),
        ("seguire la produzione di farmaci, cosmetici e prodotti biotecnologici",
         "oversee the production of medicines, cosmetics and biotech products")),
    "agrifood": (
        ("seguire la filiera dal campo alla tavola, con attenzione alla sicurezza alimentare",
         "follow the supply chain from field to table, with attention to food safety"),
        ("usare sensori e dati per coltivare e trasformare in modo sostenibile",
         "use sensors and data to farm and process food sustainably")),
    "built_environment": (
        ("progettare e seguire cantieri con modelli BIM e rilievi digitali",
         "plan and follow building sites with BIM models and digital surveys"),
        ("rendere gli edifici più efficienti, sicuri e confortevoli",
         "make buildings more efficient, safe and comfortable")),
    "mechatronics": (
        ("programmare robot, PLC e macchine a controllo numerico",
         "programme robots, PLCs and CNC machines"),
        ("mantenere in efficienza linee di produzione automatizzate",
         "keep automated production lines running efficiently")),
    "fashion": (
        ("trasformare un'idea di collezione in prototipi e capi finiti",
         "turn a collection idea into prototypes and finished garments"),
        ("gestire materiali, fornitori e tempi della filiera moda",
         "manage materials, suppliers and schedules in the fashion supply chain")),
    "business_services": (
        ("gestire processi amministrativi, contabili e commerciali con strumenti digitali",
         "manage administrative, accounting and sales processes with digital tools"),
        ("sostenere imprese e organizzazioni non profit nella pianificazione",
         "support businesses and non-profit organisations in their planning")),
    "culture_tourism": (
        ("progettare esperienze turistiche e culturali per pubblici diversi",
         "design tourist and cultural experiences for different audiences"),
        ("valorizzare musei, eventi e territori con tecnologie digitali",
         "promote museums, events and places with digital technologies")),
    "ict_data": (
        ("sviluppare software, servizi web e applicazioni per dispositivi mobili",
         "develop software, web services and mobile apps"),
        ("gestire reti, dati e sistemi proteggendoli dagli attacchi informatici",
         "manage networks, data and systems and protect them from cyber attacks")),
    "iefp_agriculture": (
        ("coltivare ortaggi, fiori e piante e curare il verde",
         "grow vegetables, flowers and plants and look after green spaces"),
        ("usare in sicurezza macchine e attrezzi agricoli", "use farm machines and tools safely")),
    "iefp_food": (
        ("preparare pane, dolci e prodotti alimentari rispettando l'igiene",
         "make bread, pastries and food products following hygiene rules"),
        ("lavorare le materie prime e confezionare i prodotti",
         "process raw ingredients and package products")),
    "iefp_chemistry": (
        ("preparare campioni e svolgere semplici analisi di laboratorio",
         "prepare samples and carry out basic laboratory tests"),
        ("condurre impianti di produzione chimica in sicurezza",
         "run chemical production equipment safely")),
    "iefp_wood": (
        ("lavorare il legno con attrezzi manuali e macchine a controllo numerico",
         "work wood with hand tools and CNC machines"),
        ("costruire, montare e restaurare mobili e serramenti",
         "build, assemble and restore furniture and window frames")),
    "iefp_fashion": (
        ("tagliare, cucire e rifinire capi di abbigliamento", "cut, sew and finish garments"),
        ("realizzare accessori in pelle e tessuto", "make leather and fabric accessories")),
    "iefp_mechanics": (
        ("leggere disegni e schemi tecnici e usare gli strumenti di misura",
         "read technical drawings and diagrams and use measuring instruments"),
        ("montare, controllare e riparare impianti e macchinari",
         "assemble, test and repair installations and machinery")),
    "iefp_construction": (
        ("realizzare murature, intonaci e finiture in cantiere",
         "build walls, plaster and finishes on site"),
        ("montare impianti idraulici e termici rispettando le norme di sicurezza",
         "fit plumbing and heating systems following safety rules")),
    "iefp_printing": (
        ("preparare file grafici e seguire la stampa", "prepare graphic files and follow printing"),
        ("creare contenuti visivi per il web e i social",
         "create visual content for the web and social media")),
    "iefp_it": (
        ("configurare computer, reti e dispositivi", "set up computers, networks and devices"),
        ("dare assistenza agli utenti e realizzare semplici siti web",
         "help users and build simple websites")),
    "iefp_culture": (
        ("montare scenografie, luci e audio per spettacoli ed eventi",
         "set up scenery, lighting and sound for shows and events"),
        ("collaborare alla produzione di video e contenuti multimediali",
         "help produce videos and multimedia content")),
    "iefp_retail": (
        ("servire i clienti, gestire la cassa e allestire il punto vendita",
         "serve customers, handle the till and arrange the shop"),
        ("curare ordini, scorte e vendite online", "manage orders, stock and online sales")),
    "iefp_logistics": (
        ("ricevere, stoccare e spedire merci con sistemi informatici",
         "receive, store and ship goods using IT systems"),
        ("preparare ordini e organizzare le consegne", "prepare orders and organise deliveries")),
    "iefp_tourism": (
        ("preparare piatti e servire in sala curando igiene e tempi",
         "prepare dishes and serve tables with care for hygiene and timing"),
        ("dare accoglienza e informazioni agli ospiti di alberghi e strutture turistiche",
         "welcome and inform guests in hotels and tourist facilities")),
    "iefp_sport": (
        ("progettare attività sportive e ricreative per bambini, ragazzi e adulti",
         "plan sport and leisure activities for children, teenagers and adults"),
        ("gestire impianti sportivi e centri estivi", "run sports facilities and summer camps")),
    "iefp_personal_care": (
        ("curare capelli, pelle e benessere della persona",
         "care for people's hair, skin and well-being"),
        ("gestire il rapporto con i clienti e l'organizzazione del salone",
         "manage client relations and the running of the salon")),
    "iefp_business": (
        ("gestire documenti, pratiche e corrispondenza d'ufficio",
         "handle office documents, paperwork and correspondence"),
        ("registrare operazioni contabili e usare programmi gestionali",
         "record accounting entries and use business software")),
}

OPENERS = (
    ("Il corso prepara a {}.", "The course prepares you to {}."),
    ("Durante il percorso si impara a {}.", "During the course you learn to {}."),
    ("Il percorso forma figure in grado di {}.", "The course trains people who can {}."),
    ("Obiettivo del corso è imparare a {}.", "The aim of the course is to learn to {}."),
)
KIND_SENTENCES: dict[CourseKind, tuple[tuple[str, str], ...]] = {
    CourseKind.ITS: (
        ("Buona parte delle ore si svolge in stage presso aziende partner e molti docenti "
         "vengono dal mondo del lavoro.",
         "Many hours are spent on placements with partner companies and many teachers come "
         "from industry."),
        ("Le lezioni alternano aula, laboratori attrezzati e project work proposti dalle imprese.",
         "Lessons combine classroom, equipped laboratories and project work set by companies."),
        ("Al termine si sostiene un esame finale davanti a una commissione con esperti esterni.",
         "The course ends with a final exam before a board that includes external experts."),
    ),
    CourseKind.IFTS: (
        ("Il percorso dura un anno e dedica circa un terzo delle ore allo stage in azienda.",
         "The course lasts one year and devotes about a third of its hours to a placement."),
        ("Al termine si ottiene un certificato di specializzazione tecnica superiore.",
         "At the end you obtain a higher technical specialisation certificate."),
        ("Le attività di laboratorio sono progettate insieme alle imprese partner.",
         "Laboratory activities are designed together with partner companies."),
    ),
    CourseKind.IEFP_QUALIFICA: (
        ("Nei tre anni si alternano materie di base, laboratori e stage in azienda.",
         "Over three years the course combines core subjects, workshops and placements."),
        ("Il percorso assolve l'obbligo di istruzione e porta a una qualifica professionale.",
         "The course fulfils compulsory education and leads to a vocational qualification."),
        ("Dal secondo anno è possibile svolgere parte del percorso in apprendistato.",
         "From the second year part of the course can be done as an apprenticeship."),
    ),
    CourseKind.IEFP_DIPLOMA: (
        ("Il quarto anno approfondisce le competenze tecniche con un lungo periodo di stage.",
         "The fourth year deepens technical skills with a long company placement."),
        ("Con il diploma professionale si può lavorare o proseguire verso un ITS o un IFTS.",
         "With the professional diploma you can start working or go on to an ITS or IFTS."),
        ("Gran parte delle attività si svolge in laboratorio, su commesse simulate o reali.",
         "Much of the work takes place in the workshop, on simulated or real orders."),
    ),
}
THREE_YEAR_SENTENCE = (
    "Il percorso triennale prevede un terzo anno di specializzazione con progetti in azienda.",
    "This three-year course includes a third specialisation year with company projects.",
)
ENGLISH_SENTENCE = ("Le lezioni si svolgono in lingua inglese.", "Classes are taught in English.")
CLOSERS = (
    ("Sono previste visite aziendali e incontri con professionisti.",
     "Company visits and meetings with professionals are planned."),
    ("Prima dell'iscrizione si può fissare un colloquio di orientamento.",
     "A guidance interview can be booked before enrolment."),
    ("Un tutor segue gli studenti per tutto il percorso.",
     "A tutor supports students throughout the course."),
    ("La sede è facilmente raggiungibile con i mezzi pubblici.",
     "The site is easy to reach by public transport."),
    ("Per chi ne ha bisogno sono previsti moduli di riallineamento.",
     "Refresher modules are available for those who need them."),
)
_AFTER_SCHOOL = (
    "Si accede con il diploma di scuola secondaria di secondo grado o con il diploma "
    "professionale IeFP di quarto anno.",
    "Servono un diploma di scuola superiore o un diploma professionale IeFP di quarto anno; "
    "è prevista una selezione.",
)
ADMISSION: dict[CourseKind, tuple[str, ...]] = {
    CourseKind.ITS: _AFTER_SCHOOL,
    CourseKind.IFTS: _AFTER_SCHOOL,
    CourseKind.IEFP_QUALIFICA: (
        "Possono iscriversi ragazze e ragazzi con la licenza media (diploma di primo ciclo).",
        "Si accede dopo la licenza media; è previsto un colloquio conoscitivo.",
    ),
    CourseKind.IEFP_DIPLOMA: (
        "Si accede con una qualifica IeFP triennale coerente, ottenuta dopo la licenza media.",
        "Per iscriversi serve la qualifica IeFP del settore, conseguita dopo la licenza media.",
    ),
}

_HOURS = {CourseKind.IFTS: (800, 900, 1000), CourseKind.IEFP_QUALIFICA: (2970, 3168),
          CourseKind.IEFP_DIPLOMA: (990, 1056)}
_SEMESTERS = {CourseKind.IFTS: 2, CourseKind.IEFP_QUALIFICA: 6, CourseKind.IEFP_DIPLOMA: 2}
_CODE_PREFIX = {CourseKind.ITS: "ITS", CourseKind.IFTS: "IFTS",
                CourseKind.IEFP_QUALIFICA: "IEFP-Q", CourseKind.IEFP_DIPLOMA: "IEFP-D"}
_STREETS = ("Via Demo", "Viale Esempio", "Via dei Mestieri Demo", "Piazza Demo",
            "Via della Formazione Demo", "Corso Esempio", "Via delle Officine Demo")
_COSTS = {CourseKind.ITS: ((0.60, 0.15, 0.15, 0.10), ("0", "150.00", "250.00", "400.00")),
          CourseKind.IFTS: ((0.85, 0.15), ("0", "250.00")),
          CourseKind.IEFP_QUALIFICA: ((0.90, 0.10), ("0", "150.00")),
          CourseKind.IEFP_DIPLOMA: ((0.90, 0.10), ("0", "150.00"))}

Site = tuple[str, str, str, str]  # address, place code, latitude, longitude


def _course_specs(rng: random.Random) -> list[_Course]:
    """Every provider's courses: ITS for foundations, IeFP and some IFTS for centres."""
    courses: list[_Course] = []
    for index, provider in enumerate(_PROVIDERS):
        for position, area in enumerate(provider.areas):
            if area in IEFP_SECTORS:
                qualifiche, diplomi = IEFP_TITLES[area]
                courses += [_Course(index, CourseKind.IEFP_QUALIFICA, area, *t) for t in qualifiche]
                picked = rng.sample(diplomi, rng.randint(1, len(diplomi)))
                courses += [_Course(index, CourseKind.IEFP_DIPLOMA, area, *t) for t in picked]
            elif provider.kind == _CENTRE:
                for it, en in rng.sample(ITS_SPECIALISATIONS[area], 2):
                    courses.append(_Course(index, CourseKind.IFTS, area, "Tecniche " + it,
                                           "Specialist techniques " + en))
            else:
                count = 6 if len(provider.areas) == 1 else (5 if position == 0 else 4)
                for it, en in rng.sample(ITS_SPECIALISATIONS[area], count):
                    courses.append(_Course(index, CourseKind.ITS, area, "Tecnico superiore " + it,
                                           "Higher technician " + en))
    return courses


def _branches(places: Mapping[str, tuple[str, float, float]],
              rng: random.Random) -> list[list[Site]]:
    """Up to three sites per provider: its home (a municipio for Milan) and two others."""
    municipalities = sorted(code for code in places if "-" not in code) or sorted(places)
    by_name = {places[code][0]: code for code in municipalities}
    homes: list[str | None] = []
    for index, provider in enumerate(_PROVIDERS):
        home = by_name.get(provider.municipality)
        if home == MILANO and f"{MILANO}-{index % 9 + 1}" in places:
            home = f"{MILANO}-{index % 9 + 1}"
        homes.append(home)
    taken = {home.split("-")[0] for home in homes if home}
    pool = [code for code in municipalities if code not in taken] or list(municipalities)
    rng.shuffle(pool)
    draws = itertools.cycle(pool)
    branches: list[list[Site]] = []
    for home in homes:
        codes = [home or next(draws)]
        for _ in range(2):
            code = next(draws)
            if code not in codes:
                codes.append(code)
        sites = []
        for code in codes:
            _, latitude, longitude = places[code]
            sites.append((f"{rng.choice(_STREETS)} {rng.randint(1, 150)}", code,
                          f"{latitude + rng.uniform(-0.009, 0.009):.5f}",
                          f"{longitude + rng.uniform(-0.009, 0.009):.5f}"))
        branches.append(sites)
    return branches


def _riasec(area: str, rng: random.Random) -> dict[str, str]:
    """The area's profile with a small jitter, so the top letter stays the same."""
    return {f"riasec_{letter}": f"{min(1.0, max(0.0, base + rng.uniform(-0.04, 0.04))):.2f}"
            for letter, base in zip("riasec", AREA_RIASEC[area], strict=True)}


def _texts(course: _Course, three_year: bool, english: bool,
           rng: random.Random) -> dict[str, str]:
    """Title and a two or three sentence description, in Italian and English."""
    title, title_en = course.title, course.title_en
    if three_year:
        title = title.replace("Tecnico superiore", "Tecnico superiore specializzato")
        title_en = title_en.replace("Higher technician", "Specialised higher technician")
    opener, focus = rng.choice(OPENERS), rng.choice(AREA_FOCUS[course.area])
    middle = THREE_YEAR_SENTENCE if three_year else rng.choice(KIND_SENTENCES[course.kind])
    closer = ENGLISH_SENTENCE if english else rng.choice((*CLOSERS, None))
    parts = [(opener[0].format(focus[0]), opener[1].format(focus[1])), middle]
    parts += [closer] if closer else []
    description_en = " ".join(en for _, en in parts)
    if not english and rng.random() < 0.2:
        title_en = description_en = ""
    return {"title": title, "description": " ".join(it for it, _ in parts),
            "title_en": title_en, "description_en": description_en,
            "title_ar": "", "description_ar": ""}


def _sites(sites: list[Site], number: int, rng: random.Random) -> dict[str, str]:
    """The provider's sites in turn, with a second site for some courses."""
    chosen = [sites[(number - 1) % len(sites)]]
    if len(sites) > 1 and rng.random() < 0.15:
        chosen.append(sites[number % len(sites)])
    columns = ("site_addresses", "site_place_codes", "site_latitudes", "site_longitudes")
    return {column: "|".join(site[n] for site in chosen) for n, column in enumerate(columns)}


def demo_course_rows(occupations_by_area: Mapping[str, Sequence[str]],
                     places: Mapping[str, tuple[str, float, float]],
                     today: date) -> list[dict[str, str]]:
    """Return the demo catalogue as import rows (every value a string)."""
    if not places:
        raise ValueError("demo catalogue needs at least one place")
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not security
    courses = _course_specs(rng)
    branches = _branches(places, rng)
    its = [i for i, course in enumerate(courses) if course.kind == CourseKind.ITS]
    three_year = set(rng.sample(its, 5))
    english = set(rng.sample([i for i in its if i not in three_year], 4))
    numbers: dict[int, int] = {}
    rows: list[dict[str, str]] = []
    for i, course in enumerate(courses):
        provider = _PROVIDERS[course.provider]
        number = numbers[course.provider] = numbers.get(course.provider, 0) + 1
        kind, slug = course.kind, provider.code.lower()
        levels = KIND_EQF_LEVELS[kind]
        if kind == CourseKind.ITS:
            hours = rng.choice((2700, 2850, 3000) if i in three_year else (1800, 1900, 2000))
            semesters = 6 if i in three_year else 4
        else:
            hours, semesters = rng.choice(_HOURS[kind]), _SEMESTERS[kind]
        start = today + timedelta(days=rng.randint(-30, 300))
        deadline = start - timedelta(days=rng.randint(10, 60))
        abbreviation = course.area.removeprefix("iefp_")[:3].upper()
        code = f"{_CODE_PREFIX[kind]}-{abbreviation}-{start.year}-{number:02d}"
        pool = sorted(set(occupations_by_area.get(course.area, ())))
        occupations = sorted(rng.sample(pool, min(len(pool), rng.randint(1, 4))))
        weights, costs = _COSTS[kind]
        rows.append({
            "provider_code": provider.code, "course_code": code, "kind": kind.value,
            "area": course.area, "eqf_level": str(max(levels) if i in three_year else min(levels)),
            **_texts(course, i in three_year, i in english, rng),
            "hours": str(hours), "semesters": str(semesters), "start_date": start.isoformat(),
            "application_deadline": deadline.isoformat(),
            "cost_eur": rng.choices(costs, weights)[0],
            "admission": rng.choice(ADMISSION[kind]),
            "language": "en" if i in english else "it",
            "seats": str(rng.randint(20, 30)),
            **_sites(branches[course.provider], number, rng),
            "occupation_codes": "|".join(occupations),
            **_riasec(course.area, rng),
            "contact_email": f"orientamento@{slug}.demo.example.org",
            "contact_phone": f"02 0000 {101 + course.provider:04d}",
            "web_url": f"https://{slug}.demo.example.org/corsi/{code.lower()}",
            "status": "active",
        })
    past = [row for row in rows if row["start_date"] < today.isoformat()]
    for row in rng.sample(past if len(past) >= 4 else rows, 4):
        row["status"] = "archived"
    for row in rng.sample(rows, 8):
        row["application_deadline"] = ""
    for row in rng.sample(rows, 6):
        row["seats"] = ""
    return rows
