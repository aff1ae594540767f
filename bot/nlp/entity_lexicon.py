"""The word lists the entity rules consult, mostly English, French, German and
Spanish: words that join capitalised words into one name or open sentences,
titles and roles ("Mr", "président", "striker"), organisation words ("Party",
"Ministère", "FC"), place prepositions ("in", "à", "en", "nach") and speech
verbs ("said", "a déclaré"). The gazetteers of known names are data files in
bot/nlp/gazetteer/.
"""

from __future__ import annotations

import re

# --- words that join, open or extend names -----------------------------------

# Adjective endings of Romance languages ("économique", "populaire", "irakienne").
ADJECTIVE = re.compile(
    r"(?:aire|ique|ien|ienne|al|ale|aux|ales|ais|aise|ain|aine|el|elle|if|ive|ère|ier|ois|oise"
    r"|iste|ano|ana|ico|ica|ar|ario|aria|ense|ino|ina|ivo|iva|ale|ese|ista|ário|ária)s?$"
)
ROMANCE = frozenset({"fr", "es", "it", "pt", "ca", "ro", "gl", "oc"})


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Lowercase words that join two capitalised words into one name.
CONNECTORS = _set(
    """
    of the for and de du des la le von van der den dem del della delle dei di da do dos das
    y e bin ibn al el ben zu ter ten af av et upon on-the
    """
)
# ... but only these may stand alone between two capitalised words; "the",
# "and", "for", "et", "y", "e" must follow "of"/"de"-like ones ("Bank of the
# West", "Ministère de la Défense"), so "Bagdad et Washington" stays two names.
SOLO_CONNECTORS = _set(
    "of de du des von van del della di da do dos das bin ibn al el ben zu ter ten af av"
)
# In German "der", "des" and "de" are articles ("Angaben der Bundesregierung");
# only "von", "van", "zu" join names ("Ursula von der Leyen").
SOLO_CONNECTORS_DE = _set("von van zu vom zum")

MONTHS_DAYS_BY_LANGUAGE = {
    "en": _set(
        """
        january february march april may june july august september october november december
        monday tuesday wednesday thursday friday saturday sunday
        jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun
        """
    ),
    "de": _set(
        """
        januar februar märz april mai juni juli august september oktober november dezember
        jänner montag dienstag mittwoch donnerstag freitag samstag sonntag sonnabend
        """
    ),
    "fr": _set(
        """
        janvier février mars avril mai juin juillet août septembre octobre novembre décembre
        lundi mardi mercredi jeudi vendredi samedi dimanche
        """
    ),
    "es": _set(
        """
        enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre
        lunes martes miércoles jueves viernes sábado domingo
        """
    ),
    "tr": _set(
        """
        ocak şubat mart nisan mayıs haziran temmuz ağustos eylül ekim kasım aralık
        pazartesi salı çarşamba perşembe cuma cumartesi pazar
        """
    ),
    "id": _set(
        """
        januari februari maret april mei juni juli agustus september oktober november desember
        senin selasa rabu kamis jumat sabtu minggu
        """
    ),
    "el": _set(
        """
        ιανουαρίου φεβρουαρίου μαρτίου απριλίου μαΐου ιουνίου ιουλίου αυγούστου σεπτεμβρίου
        οκτωβρίου νοεμβρίου δεκεμβρίου ιανουάριος φεβρουάριος μάρτιος απρίλιος μάιος ιούνιος
        ιούλιος αύγουστος σεπτέμβριος οκτώβριος νοέμβριος δεκέμβριος δευτέρα τρίτη τετάρτη
        πέμπτη παρασκευή παρασκευής σάββατο σαββάτου κυριακή κυριακής δευτέρας τρίτης τετάρτης
        πέμπτης
        """
    ),
}
MONTHS_DAYS_BY_LANGUAGE["ms"] = MONTHS_DAYS_BY_LANGUAGE["id"]
MONTHS_DAYS_ANY = frozenset().union(*MONTHS_DAYS_BY_LANGUAGE.values())
# A clock time's "AM"/"PM" and time zones, and a time stamp's labels, written in capitals:
# never part of a name ("Updated 11:00 AM EDT Lindsay Lohan checked into ...",
# "PUBLISHED: THURSDAY, MAY 2, 2013, 1:32 PM UPDATED: ...").
TIME_WORDS = _set(
    """
    AM PM GMT UTC EDT EST CDT CST MDT MST PDT PST AKDT AKST HST BST CET CEST EET EEST IST
    JST KST AEST AEDT ACST AWST NZST NZDT MSK MEZ MESZ WIB WITA WIT TSİ
    PUBLISHED UPDATED POSTED MODIFIED PUBLIÉ AKTUALISIERT VERÖFFENTLICHT ACTUALIZADO PUBLICADO
    """
)
# Words capitalised at the start of sentences in every language we meet,
# beyond the stop words of the article's language.
STARTERS = _set(
    """
    the a an this that these those it its he she they we you i his her their our but and or
    so yet however in on at for from with after before as when while if there here then
    what who why how where which some many most all both not also since although though
    because by to meanwhile instead still now last earlier later during despite according
    one two three four five no nor each every other another such only even just more
    yes well please thanks thank about over under between against among into through
    le la les un une des du de ce cet cette ces il elle ils elles on nous vous je mais et
    ou donc ni car en dans pour par sur avec selon après avant depuis lors quand si ainsi
    cependant toutefois pourtant alors puis aussi enfin cela ceci son sa ses leur leurs
    der die das den dem des ein eine einen einem einer es er sie wir ihr ich man aber und
    oder doch denn auch im am an auf aus bei mit nach seit von vor zu zum zur für über
    el los las lo unos unas este esta estos estas ese esa su sus pero sin con del al por
    para según tras desde durante cuando como que hoy ayer ahora ya
    """
)
# German words that sumy's stop words lack and that run on into a name when
# capitalised at a sentence start or in a heading ("Beim Bau", "Bereits Giacomo"), or
# open a sentence as a place would ("Weil er…", "Ob die Briten…": the town, the river).
FUNCTION_WORDS_DE = _set(
    """
    beim bereits zwischen unter gegen ohne um bis durch während wegen trotz laut seit als
    wie so noch nur schon dann etwa rund knapp fast sowie neben hinter innerhalb außerhalb
    statt anstatt jedoch zudem außerdem allerdings damals heute gestern morgen inzwischen
    bisher später danach dabei darin daran darauf dort hier sonst sonstige typische sogar
    ebenfalls ebenso vielleicht wohl nämlich immer nie oft
    weil ob obwohl obgleich falls damit sobald solange bevor ehe seitdem sodass indem
    trotzdem dennoch sondern denn zwar dazu davor deswegen kaum
    """
)

# Russian function words (sumy has no Russian stop words): a capitalised one
# opens a sentence and is no part of a name ("В Белоруссии", "По").
FUNCTION_WORDS_UK = _set(
    """
    в у на по до з із зі від для без через після перед між біля серед про за над під при
    і й та а але або чи що як так це цей ця ці той те ті він вона вони воно ми ви я його
    її їх їм йому їй там тут де коли якщо щоб вже ще також теж тільки лише навіть усі
    все весь вся о об тому мені мене нам нас вам вас їм далі потім тоді зараз тепер проте
    однак адже отже нині раніше згодом крім окрім поки доки хоча хоч ось саме щодо згідно
    завдяки відтак натомість водночас зокрема цього цьому цих цим цією такий така таке такі
    який яка яке які свій своя своє свої наш наша наше наші ваш ваша ваше ваші мій моя моє
    мої кожен кожна кожне інший інша інше інші багато кілька декілька
    """
)
# Turkish words that open sentences capitalised and never begin a name.
FUNCTION_WORDS_TR = _set(
    """
    ve veya ile ama ancak fakat gerçi halbuki oysa çünkü ki da de bu şu o bir için gibi
    kadar sonra önce daha en çok her hiç ne neden nasıl nerede şimdi bugün dün yarın ayrıca
    bile yine hem ya yani üstelik dolayısıyla böylece zaten belki artık henüz hatta özellikle
    öte yandan bunun buna bunu onun ona onu biz siz onlar ben sen bazı birçok tüm bütün
    """
)
# Indonesian and Malay words that open sentences capitalised and never begin a name.
FUNCTION_WORDS_ID = _set(
    """
    baru saja ini itu yang dan di ke dari pada untuk dengan dalam akan telah sudah juga
    namun tetapi sedangkan sebelum sesudah setelah menurut berdasarkan hingga sampai selain
    bahkan hanya kini saat ketika jika karena sementara selama sejak tak tidak belum masih
    para sejumlah beberapa semua seluruh adapun meski walaupun oleh atas bagi tentang
    """
)
# Greek words that open sentences capitalised and never begin a name.
FUNCTION_WORDS_EL = _set(
    """
    ο η το οι τα του της των τον την στο στη στην στον στα στις στους σε από με για και
    αλλά όμως ωστόσο επίσης ενώ όταν αν μετά πριν σύμφωνα κατά μέχρι έως ότι που πως
    αυτό αυτή αυτός αυτά ένα ένας μια μία δεν θα να
    """
)
FUNCTION_WORDS_RU = _set(
    """
    в во на по к ко с со о об обо от до из у за над под при про для без через после перед
    между около среди и а но или да же ли не ни что как так это этот эта эти тот та те
    он она они оно мы вы я его её их ее им ему ей там тут здесь где когда если чтобы уже еще
    ещё также тоже только даже все всё весь вся
    """
)

# --- cue words ---------------------------------------------------------------

# Titles and honorifics: before a name they make it a person and are dropped.
TITLES = _set(
    """
    mr mrs ms miss mx dr prof sir dame lord lady mme mlle mm me herr frau fr hr sr sra srta
    don doña dña monsieur madame mademoiselle señor señora signor signora sig
    president vice-president presidente presidenta président présidente präsident präsidentin
    minister ministre ministro ministra ministerin
    premier prime chancellor kanzler kanzlerin bundeskanzler bundeskanzlerin chancelière
    secretary secrétaire secretario secretaria senator sen sénateur senador senadora
    rep representative congressman congresswoman congresista député députée abgeordneter
    gov governor gouverneur gouverneure gobernador gobernadora
    general gen général générale lieutenant-général lieutenant-general general-leutnant
    colonel col major maj captain capt lieutenant lt sergeant sgt commander cmdr
    admiral adm brigadier marshal maréchal
    judge justice juge richter richterin juez jueza
    pope pape papst papa king queen prince princess roi reine prince princesse könig königin
    prinz prinzessin rey reina príncipe princesa emperor empereur kaiser emperador
    sheikh cheikh scheich ayatollah imam rabbi cardinal bishop archbishop reverend rev
    father pastor
    mayor maire bürgermeister bürgermeisterin alcalde alcaldesa
    ambassador ambassadeur ambassadrice botschafter botschafterin embajador embajadora
    chairman chairwoman chair ceo chief director directeur directrice direktor director
    spokesman spokeswoman spokesperson porte-parole sprecher sprecherin portavoz
    coach manager entraîneur trainer trainerin entrenador
    detective inspector officer commissioner superintendent constable sheriff
    striker midfielder defender goalkeeper forward winger captain keeper batsman bowler
    opener skipper quarterback pitcher rider driver champion teammate
    actor actress singer rapper author writer designer star
    leader chef commandant dirigeant führer líder professor professeur profesor
    mp mps mep meps ceo
    başbakan başkan başkanı cumhurbaşkanı bakan bakanı milletvekili vali valisi belediye
    genelkurmay orgeneral korgeneral tümgeneral büyükelçi sözcü sözcüsü yönetmen
    """
)
# Abbreviated titles followed by a full stop: "Mr. Smith", "M. Macron".
TITLE_ABBREVIATIONS = _set(
    "Mr Mrs Ms Dr Prof M Mme Mlle MM Me Hr Fr Sr Sra Srta Dña Gen Gov Sen Rep Lt Col Maj Capt "
    "Sgt Cmdr Adm Rev St Ste Pres Supt Insp"
)
# Titles that are also common in organisation or place names; they type the
# name only when lowercase (a role before it), not as the span's first word.
WEAK_TITLES = _set("premier prime general justice king queen prince star father chief chair")

# German compounds ending like these are roles ("Bundesaußenminister",
# "Präsidenten").
ROLE = re.compile(
    r"(?:minister|kanzler|präsident|sprecher|chef|vorsitzend|leiter|trainer|sekretär|botschafter"
    r"|bürgermeister|direktor|kommissar|abgeordnet|regierungschef)(?:in|innen|en|e|er|s)?$"
)

# Verbs right after a name that make it a person (organisations speak too,
# so the vote is small).
SPEECH = _set(
    """
    said says told added wrote explained stated insisted admitted claimed warned argued
    who whose himself herself
    déclare déclaré affirme affirmé estime estimé explique expliqué annonce annoncé
    confirme confirmé souligne souligné
    sagte sagt erklärte betonte meinte
    dijo afirmó declaró aseguró explicó señaló indicó
    """
)
# Words inside a name that make it an organisation.
ORG_WORDS = _set(
    """
    inc corp corporation co ltd plc llc lp gmbh ag sa se nv bv spa sarl srl kg cie
    party parti partei partido partito
    ministry ministère ministerium ministerio ministero department département departamento
    bakanlığı başkanlığı müdürlüğü belediyesi partisi üniversitesi enstitüsü derneği vakfı
    meclisi meclis kongre kurulu kurumu bankası holding şirketi gazetesi ajansı spor
    university université universität universidad università college school école schule
    institute institut instituto istituto academy académie akademie
    bank banque banco sparkasse council conseil rat consejo consiglio
    fc cf sc afc ac cd rc sv vfb vfl tsv bsc united rovers wanderers athletic athletico
    atlético hotspur albion
    agency agence agentur agencia agenzia
    forces force army armée armee ejército navy marine air-force police polizei policía polizia
    gendarmerie militia milice brigade brigades corps guard guards
    association federation fédération föderation federación federazione verband
    committee comité komitee commission kommission comisión commissione
    club klub union unión gewerkschaft syndicat sindicato league ligue liga lega
    group groupe gruppe grupo gruppo company compagnie companía firma holding holdings
    news times post journal herald tribune telegraph guardian gazette zeitung presse press
    tv radio television télévision fernsehen
    airlines airline airways motors motor systems technologies labs laboratories studios
    foundation fondation stiftung fundación fondazione trust fund fonds
    court cour gericht tribunal supreme
    church église kirche iglesia chiesa assembly assemblée versammlung asamblea
    parliament parlement parlament parlamento senate sénat senado congress congrès kongress
    congreso government gouvernement regierung gobierno governo cabinet
    office bureau büro oficina board authority autorité behörde autoridad
    service services organisation organization organización organizzazione
    serviço servicio servizio observatory observatoire observatorio observatório osservatorio
    badan kementerian dinas lembaga partai universitas komisi dewan majelis balai
    viện bộ sở
    urząd urzędu biuro biura biurze ministerstwo ministerstwa sąd sądu komisja komisji partia
    partii uniwersytet uniwersytetu instytut instytutu spółka spółki ministerstvo úřad soud
    komise strana univerzita
    ινστιτούτο ινστιτούτου πανεπιστήμιο πανεπιστημίου υπουργείο υπουργείου κόμμα τράπεζα
    τράπεζας αστεροσκοπείο αστεροσκοπείου
    ministério universidade fundação agência polícia assembleia câmara cámara camera
    comissão conselho tribunale senato prefeitura
    movement mouvement bewegung movimiento movimento front alliance allianz alianza coalition
    network hospital hôpital krankenhaus klinik clinic museum musée
    reserve exchange commission
    """
)
# The legal forms of companies, which end their names ("Siemens AG").
LEGAL_FORMS = _set("inc corp co ltd plc llc lp gmbh ag sa se nv bv spa sarl srl kg kgaa cie ug")
# Romance adjective endings that, ending a name with no first name, make it a
# body or a field rather than a person: "Transición Ecológica".
ROMANCE_ADJECTIVE_END = re.compile(
    r"(?:ica|ico|icas|icos|ique|iques|ista|istas|aria|ario|ária|ário|iva|ivo|ive|ional|ionale"
    r"|cial|ciale|ental|entale|ense)$"
)  # not "-al", "-elle": "Ségolène Royal", "La Rochelle"
# Words inside a name that make it an event, a prize, a law...: "other".
OTHER_WORDS = _set(
    """
    cup cups championship championships games olympics trophy prize award awards open
    festival treaty accord act war wars summit prix tour marathon rally derby series bowl
    coupe championnat jeux trophée prix festival traité guerre sommet
    pokal meisterschaft spiele preis krieg gipfel copa campeonato juegos premio guerra cumbre
    """
)
# Abbreviations of common nouns, written in capitals but naming nothing ("arrested on a DUI
# charge", "on TV", "a VAT rise", "an MRI scan"): never a key entity on their own (lowercase).
COMMON_ACRONYMS = _set(
    """
    dui dwi ceo ceos cfo coo cto gdp mri ct tv dvd dvds cd cds pr vat hiv aids phd mp mps
    mep meps ai ufo ufos atm atms suv suvs gps cctv pdf usb led hd iq vip vips faq id pin sms
    hr ipo etf cpi ppe icu er bbq diy lgbt lgbtq ok
    """
)
# News agencies, credited in reports of every story (lowercase).
AGENCIES = _set(
    """
    afp ap reuters dpa efe ansa apa sda ats kyodo yonhap xinhua tass ria anadolu belga anp
    pti ians ani upi epa kna epd ddp bloomberg
    """
)
PLACE_WORDS = _set(
    """
    river lake mount mountain mountains island islands isle sea ocean bay gulf valley county
    province region district canton coast peninsula desert strait canal airport street avenue
    square boulevard road bridge stadium arena
    fleuve rivière lac mont montagne île îles mer océan baie golfe vallée province région rue
    fluss see berg insel meer bucht tal provinz landkreis kreis straße platz
    río lago monte montaña isla mar bahía golfo valle provincia región calle plaza
    denizi körfezi gölü nehri dağı dağları adası ili ilçesi mahallesi caddesi sokağı
    kota pulau kabupaten provinsi kecamatan desa gunung selat teluk danau sungai
    timur barat utara selatan tenggara
    """
)
# Lowercase words right before a name: place prepositions.
PLACE_BEFORE = _set(
    """
    in near from across outside inside throughout to into toward towards via
    à en au aux vers depuis dans près
    nach aus bei in
    en desde hacia
    nel nella nei nelle dal dalla dai dalle presso em na nas nos
    tỉnh huyện quận xã phường tại
    στην στη στο στον στα στις στους της
    """
)
# Place prepositions of one language only ("we" is English's pronoun, "ve" Turkish "and"):
# strong ones first, then weak ones.
PLACE_BEFORE_BY_LANGUAGE = {
    "pl": (_set("w we"), _set("z ze do na pod przy koło nad")),
    "cs": (_set("v ve"), _set("z ze do na u")),
    "sk": (_set("v vo"), _set("z zo do na u")),
}
STRONG_PLACE_BEFORE = _set(
    "in à en au aux nach near tỉnh huyện quận xã phường στην στη στο στον στα στις στους"
)
# Nouns before "of"/"de" and a place: "the city council of Springfield".
PLACE_OF = _set(
    """
    city town village county state province region capital council mayor governor
    residents inhabitants citizens people suburb suburbs outskirts streets centre center
    north south east west port harbour harbor district borough municipality
    ville commune habitants maire région province capitale ciudad pueblo municipio
    habitantes alcalde alcaldesa provincia región capital città comune sindaco
    stadt gemeinde einwohner bürgermeister
    nord sud ovest nord-est nord-ovest sud-est sud-ovest norte sul oeste leste nordeste
    sudeste noroeste sudoeste città provincia comune
    """
)
# Lowercase nouns right before a name that say what it is.
ORG_BEFORE = _set(
    """
    group groupe gruppe grupo company firm société unternehmen empresa club team équipe
    party parti partei partido movement mouvement organisation organization organisation
    agency agence newspaper journal daily quotidien channel chaîne network bank banque
    militia milice rebels insurgents terroriste terrorist
    """
)
PERSON_BEFORE = TITLES
