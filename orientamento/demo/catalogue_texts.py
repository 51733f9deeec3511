"""Word tables of the demo catalogue: invented titles, description fragments, admission texts.

Italian first, English second in every pair. Used by ``orientamento.demo.catalogue``.
"""

from __future__ import annotations

from orientamento.courses.areas import CourseKind

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
