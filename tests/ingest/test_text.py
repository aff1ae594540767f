from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path

import pytest

from bot.errors import EmptyInput
from bot.ingest.text import parse_markdown, parse_text
from bot.models import Article
from bot.nlp.sentences import split_sentences

DATA = Path(__file__).resolve().parents[1] / "data" / "text"
# A sentence of article text, for tests of one line of furniture beside it.
BODY = "The council met on Tuesday to vote on the budget for the coming year, officials said."


def _read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def _assert_verbatim(article: Article, raw: str) -> None:
    """Every kept line is an unaltered line of the input."""
    for paragraph in article.body.split("\n\n"):
        assert paragraph.strip() == paragraph
        for line in paragraph.split("\n"):
            assert line in raw


def _assert_absent(body: str, *fragments: str) -> None:
    lowered = body.lower()
    for fragment in fragments:
        assert fragment.lower() not in lowered, fragment


# --- the seed: a French Press TV page copied as plain text --------------------


@pytest.fixture(scope="module")
def seed() -> tuple[str, Article]:
    raw = _read("fr_presstv_seed.txt")
    return raw, parse_text(raw)


def test_seed_title(seed: tuple[str, Article]) -> None:
    _, article = seed
    assert article.title == (
        "L'Irak et les États-Unis conviennent de discuter du calendrier du retrait des "
        "troupes américaines"
    )


def test_seed_copied_in_decomposed_form_reads_as_the_same_article(
    seed: tuple[str, Article],
) -> None:
    # A copy from some systems spells "é" as "e" + a combining accent (NFD): the same
    # letters, so the same title, body and summary sentences, in the canonical form.
    raw, article = seed
    decomposed = unicodedata.normalize("NFD", raw)
    assert decomposed != raw
    again = parse_text(decomposed)
    assert (again.title, again.body) == (article.title, article.body)
    assert unicodedata.is_normalized("NFC", again.body)


def test_seed_source_line_becomes_metadata(seed: tuple[str, Article]) -> None:
    _, article = seed
    assert article.source.name is not None
    assert "press tv" in article.source.name.lower()
    assert article.source.name == "French Press TV"
    assert article.language is None


def test_seed_body_has_no_page_furniture(seed: tuple[str, Article]) -> None:
    raw, article = seed
    _assert_absent(
        article.body,
        "AFP",
        "Ilhan Omar",
        "Crédit photo",
        "Partager",
        "Pour en savoir plus",
        "SOURCE",
        "Forces de l'armée américaine.",
    )
    assert not article.body.startswith("TV")
    assert article.title is not None
    assert article.title not in article.body
    _assert_verbatim(article, raw)


def test_seed_body_keeps_the_first_and_last_paragraphs(seed: tuple[str, Article]) -> None:
    _, article = seed
    paragraphs = article.body.split("\n\n")
    assert paragraphs[0].startswith("Le ministère irakien des Affaires étrangères a déclaré")
    assert paragraphs[-1].startswith("Le général Soleimani et le chef adjoint")
    assert paragraphs[-1].endswith("près de l’aéroport de Bagdad.")
    assert len(paragraphs) == 12


def test_seed_caption_in_another_language_is_dropped_without_its_credit() -> None:
    # Without "(AFP photo)" the English caption is still recognised: it is in
    # another language than the article and sits between the title and the body.
    raw = _read("fr_presstv_seed.txt").replace(" (AFP photo)", "")
    article = parse_text(raw)
    _assert_absent(article.body, "Ilhan Omar", "Nancy Pelosi")
    assert article.body.startswith("Le ministère irakien")


# --- the same kind of page in English, German and Spanish ---------------------


def test_english_page() -> None:
    raw = _read("en_reuters_style.txt")
    article = parse_text(raw)
    assert article.title == "Ukraine and Poland agree to reopen border crossings for grain trucks"
    assert article.source.name == "Reuters"
    assert article.source.author == "Jane Doe and John Roe"
    assert article.source.published == dt.date(2024, 1, 25)
    _assert_absent(
        article.body,
        "Europe\n",
        "By Jane Doe",
        "Published",
        "Photo:",
        "Getty",
        "Read more",
        "Polish farmers escalate",
        "Share this",
        "Facebook",
        "newsletter",
        "Source:",
    )
    # The dateline stays with its sentence.
    assert article.body.startswith("WARSAW, Jan 25 (Reuters) - Ukraine and Poland agreed")
    assert article.body.endswith("Ukrainian exporters welcomed the decision.")
    assert article.body.count("\n\n") == 2
    _assert_verbatim(article, raw)


def test_time_stamp_lines_leave_the_body_and_give_the_date() -> None:
    # ECB+ (CC BY 3.0): an NBC Philadelphia report and a People one, pasted with their
    # time stamps; neither line is article text, and each gives the date.
    kraft = (
        "Trial Begins for Kraft Shooting Suspect\n\n"
        "Monday, Sep 10, 2012 | Updated 9:01 AM EDT\n\n"
        "The murder trial for the suspended Kraft foods employee accused of shooting three "
        "co-workers, killing two of them, starts Monday. Yvonne Hiller, 43, is charged with "
        "murder for the shooting deaths of two female co-workers in September 2010.\n"
    )
    article = parse_text(kraft)
    assert article.body.startswith("The murder trial for the suspended Kraft foods employee")
    assert "Updated" not in article.body and "EDT" not in article.body
    assert article.source.published == dt.date(2012, 9, 10)
    lohan = (
        "UPDATED 2013-05-03 at 11:00 AM EDT Originally published 2013-05-03 at 10:20 AM EDT\n\n"
        "Lindsay Lohan checked into the Betty Ford Clinic in Rancho Mirage, Calif., on "
        "Thursday night, for what is to be a three-month stay, her rep confirms to PEOPLE.\n"
    )
    article = parse_text(lohan)
    assert article.body.startswith("Lindsay Lohan checked into")
    assert article.source.published == dt.date(2013, 5, 3)
    # A sentence that names a date and a time stays.
    kept = "On 5 May 2013 the council met at 10:00 to vote on the budget for the new year."
    assert parse_text(kept).body == kept


def test_german_page() -> None:
    raw = _read("de_dpa_style.txt")
    article = parse_text(raw)
    assert article.title == "Bundestag beschließt höheren Mindestlohn für Millionen Beschäftigte"
    assert article.source.name == "dpa"
    assert article.source.author == "Anna Schmidt"
    assert article.source.published == dt.date(2024, 3, 12)
    _assert_absent(
        article.body,
        "Politik",
        "Von Anna",
        "Veröffentlicht",
        "Foto",
        "Bild:",
        "Lesen Sie auch",
        "Mehr zum Thema",
        "teilen",
        "Quelle",
    )
    assert article.body.startswith("Der Bundestag hat am Donnerstag")
    assert article.body.endswith("über die Kosten für kleine Betriebe.")
    _assert_verbatim(article, raw)
    sentences = split_sentences(article.body, "de")
    assert "Gewerkschaften hatten seit dem 3. Oktober eine stärkere Anhebung gefordert." in (
        sentences
    )
    assert len(sentences) == 6


def test_spanish_page_with_an_english_caption() -> None:
    raw = _read("es_efe_style.txt")
    article = parse_text(raw)
    assert article.title == (
        "El Gobierno aprueba un plan de ayudas para los agricultores afectados por la sequía"
    )
    assert article.source.name == "EFE"
    assert article.source.author == "María García López"
    _assert_absent(
        article.body,
        "Internacional",
        "Por María",
        "Farmers inspect",
        "Lee también",
        "aceite de oliva",
        "Compartir",
        "Fuente",
    )
    assert article.body.startswith("El Consejo de Ministros aprobó")
    assert "¿Llegará a tiempo?" in article.body
    _assert_verbatim(article, raw)


def test_hard_wrapped_text_keeps_its_first_sentence() -> None:
    raw = _read("en_hard_wrapped.txt")
    article = parse_text(raw)
    assert article.title is None
    assert article.body == raw.strip()


@pytest.mark.parametrize(
    "row",
    _rows("cnndm_sample.jsonl") + _rows("orangesum_sample.jsonl"),
    ids=lambda row: row["id"][:12],
)
def test_one_long_paragraph_keeps_its_prose(row: dict[str, str]) -> None:
    # Text scraped into one line: no title is invented, the first sentence
    # stays, and only glued furniture (headings, video credits) is cut out.
    raw = row["article"]
    article = parse_text(raw)
    assert article.title is None
    first = split_sentences(raw, row["language"])[0]
    assert article.body.startswith(first)
    _assert_verbatim(article, raw)
    kept = sum(len(line) for line in article.body.split("\n") if line)
    assert kept >= 0.9 * len(raw.strip())


def test_title_needs_a_body_after_it() -> None:
    article = parse_text("A short note without a full stop")
    assert article.title is None
    assert article.body == "A short note without a full stop"


def test_title_on_its_own_line_without_a_blank_line() -> None:
    raw = (
        "Storm closes schools across the region\n"
        "Schools across the region were closed on Monday after a storm brought down power "
        "lines and flooded several roads, officials said."
    )
    article = parse_text(raw)
    assert article.title == "Storm closes schools across the region"
    assert article.body.startswith("Schools across the region were closed")


def test_quoted_foreign_line_is_kept() -> None:
    raw = (
        "Macron défend sa réforme devant les maires\n\n"
        '"We will not give up on this reform, it is necessary for the country"\n\n'
        "Le président de la République a défendu mardi sa réforme des retraites devant les "
        "maires réunis à Paris. Il a répété que le texte était indispensable.\n\n"
        "Les syndicats appellent à une nouvelle journée de mobilisation jeudi."
    )
    article = parse_text(raw)
    assert "We will not give up" in article.body


@pytest.mark.parametrize("raw", ["", "   \n\n\t "])
def test_empty_input(raw: str) -> None:
    with pytest.raises(EmptyInput):
        parse_text(raw)


@pytest.mark.parametrize(
    "line",
    [
        "Tweet",
        "Partager cet article",
        "Compartir este artículo",
        "Facebook Twitter LinkedIn",
        "À lire aussi : Les soldats américains quittent la base",
        "Lea también: La sequía se agrava",
        "See also",
        "Related: Grain exports fall",
        "Nous utilisons des cookies pour améliorer votre expérience. Accepter",
        "Abonnez-vous à notre newsletter",
        "Jetzt abonnieren und weiterlesen",
        "© 2024 Example Media. All rights reserved.",
        "Soldiers on patrol in Baghdad. (Photo by John Smith/Getty Images)",
        "Ein Soldat in Bagdad. Foto: Michael Kappeler/dpa",
        "Crédits photo : AFP",
        "Publicité",
        # Quanta Magazine, 15 Nov 2019: a video's caption between two paragraphs.
        "Video: In this talk presented at the 2016 TEDMED conference, Jennifer Pluznick, an"
        " associate professor of physiology at Johns Hopkins University, discusses the diverse"
        " function of the scent detectors found in tissues throughout the body.",
        "Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.",  # BBC, 20 Nov 2019
        "Suivez-nous sur Facebook et Instagram",
    ],
)
def test_boilerplate_lines_are_dropped(line: str) -> None:
    raw = (
        "A headline about the talks\n\n"
        "The two governments agreed on Thursday to hold talks next week, officials said.\n\n"
        f"{line}\n\n"
        "The talks will take place in Geneva and are expected to last two days."
    )
    article = parse_text(raw)
    assert line not in article.body
    assert article.body.startswith("The two governments agreed")
    assert article.body.endswith("expected to last two days.")


@pytest.mark.parametrize(
    "line",
    [
        "Source: the ministry said the figures were final and would be published.",
        "By the end of the week, the talks had collapsed without any agreement.",
        "Par ailleurs, le ministre a rappelé que la photo avait été prise en 2019.",
        "Von Berlin aus fuhr er am Abend weiter nach Hamburg.",
        "The company's newsletter reported a record quarter for its shareholders.",
        "Getty and other agencies sued the start-up over its use of pictures.",
    ],
)
def test_body_lines_that_look_like_boilerplate_are_kept(line: str) -> None:
    raw = (
        "A headline about the talks\n\n"
        "The two governments agreed on Thursday to hold talks next week, officials said.\n\n"
        f"{line}\n\n"
        "The talks will take place in Geneva and are expected to last two days."
    )
    assert line in parse_text(raw).body


def test_windows_line_endings() -> None:
    raw = _read("en_reuters_style.txt").replace("\n", "\r\n")
    article = parse_text(raw)
    assert article.title == "Ukraine and Poland agree to reopen border crossings for grain trucks"
    assert "\r" not in article.body


# --- Markdown -------------------------------------------------------------------


def test_markdown_article() -> None:
    article = parse_markdown(_read("en_article.md"))
    assert article.title == "Astronomers find a water-rich exoplanet orbiting a nearby red dwarf"
    body = article.body
    assert body.startswith(
        "Astronomers using the James Webb Space Telescope have found signs of a water-rich "
        "atmosphere"
    )
    assert "published on Wednesday in Nature." in body
    assert "known as LHS 1140 b, is about 1.7 times" in body
    assert '"It could be covered by a global ocean," the team wrote.' in body
    assert body.endswith("Further observations are planned for next year.")
    _assert_absent(
        body,
        "**",
        "](",
        "Home",
        "artist's impression",
        "Kornmesser",
        "ad slot",
        "A new class of world",
        "print(",
        "```",
        "Read more",
        "layout:",
        "> ",
    )


def test_markdown_setext_title_and_front_matter_title() -> None:
    article = parse_markdown(
        "Council approves the budget\n===========================\n\n"
        "The council approved the budget on Tuesday after a long debate, officials said.\n"
    )
    assert article.title == "Council approves the budget"
    assert article.body.startswith("The council approved")

    article = parse_markdown(
        '---\ntitle: "Budget approved"\n---\n\nThe council approved the budget on Tuesday '
        "after a long debate, officials said.\n"
    )
    assert article.title == "Budget approved"


def test_markdown_emphasis_does_not_eat_snake_case() -> None:
    article = parse_markdown(
        "# Title of the story here\n\nThe variable my_var_name was *renamed* by the team on "
        "__Monday__, the maintainers said.\n"
    )
    assert article.body == (
        "The variable my_var_name was renamed by the team on Monday, the maintainers said."
    )


# --- furniture glued into one-line text (a flattened page) -------------------


def _body_lines(raw: str) -> list[str]:
    article = parse_text(raw)
    _assert_verbatim(article, raw)
    return [line for line in article.body.split("\n") if line]


@pytest.mark.parametrize(
    ("raw", "heading", "after"),
    [
        (
            "Quatre personnes sont mortes dans le canyon, a indiqué la préfecture.Important "
            "dispositif de secoursOutre ce groupe de sept personnes, une huitième a été "
            "hélitreuillée dans la soirée.",
            "Important dispositif de secours",
            "Outre ce groupe de sept personnes",
        ),
        (
            "Four people died in the canyon, the prefecture said. Rescue teams on the "
            "groundMore than 200 firefighters were sent to the area on Sunday evening.",
            "Rescue teams on the ground",
            "More than 200 firefighters",
        ),
        (
            "La Russie et l'Ukraine sont à couteaux tirés depuis 2014, a dit Dmitri Peskov."
            '"Un choix très clair""Moscou respecte le choix du peuple ukrainien", a-t-il '
            "poursuivi lundi.",
            "Un choix très clair",
            '"Moscou respecte le choix',
        ),
        (
            'The Kremlin said it was too early to judge, according to Dmitry Peskov."A very '
            'clear choice""Moscow respects the choice of the Ukrainian people," he added.',
            "A very clear choice",
            '"Moscow respects the choice',
        ),
        (
            "La jeune femme ne laisse personne indifférent.- 61 millions de vues -Boostée par "
            "les réseaux sociaux, elle a signé avec un label indépendant.",
            "61 millions de vues",
            "Boostée par les réseaux sociaux",
        ),
        (
            "The festival closed on Sunday after three days of concerts. - Record crowds - "
            "The organisers said 90,000 people had bought tickets this year.",
            "Record crowds",
            "The organisers said",
        ),
        (
            "Des violences ont été signalées, a indiqué le parquet de Pau. Comment aider un "
            'proche sous l\'emprise d\'une secte ?par rtl.fr"Le juge d\'instruction s\'est rendu '
            "sur les lieux mardi.",
            "Comment aider un proche",
            '"Le juge d\'instruction',
        ),
        (
            "Shares fell sharply after the announcement, the exchange said. Who is the new "
            "boss of the group?by CNNThe company named its finance chief as interim head.",
            "Who is the new boss",
            "The company named its finance chief",
        ),
        (
            'Il est interdit de posséder une panthère, a rappelé la préfecture. "=1emIl semble '
            "que la personne qui se trouvait dans l'appartement ait fui par la fenêtre.",
            "=1em",
            "Il semble que la personne",
        ),
        (
            "Police closed the road for the night, the council said. =1emThe driver was "
            "taken to hospital with minor injuries on Tuesday.",
            "=1em",
            "The driver was taken",
        ),
        (
            "70% des sondés ne sont pas satisfaits de l'action de François Hollande et 26% se "
            "disent ni satisfaits, ni insatisfaits.ALAIN JUPPÉ TOUJOURS EN TÊTE POUR LA "
            "PRIMAIREPar ailleurs, toujours selon cette enquête réalisée par Ipsos, Alain "
            "Juppé conforte sa position.",
            "ALAIN JUPPÉ",
            "Par ailleurs, toujours selon cette enquête",
        ),
        (
            "Celui qui réussit à attraper la carpe remporte le gros lot, une voiture, par "
            "exemple.22.500 EUROS D'AMENDEEt si la France est particulièrement visée, c'est que "
            "les conditions y sont plus favorables.",
            "EUROS D'AMENDE",
            "Et si la France est particulièrement visée",
        ),
        (
            "Il se dirige alors vers nous trois d'un pas déterminé\", raconte-t-il au "
            "Parisien. UNE INTERVENTION DE MOINS DE 10 MINUTESSur le moment, François n'a pas "
            "pensé à une attaque terroriste.",
            "INTERVENTION",
            "Sur le moment, François",
        ),
    ],
    ids=["fr-heading", "en-heading", "fr-pull-quote", "en-pull-quote", "fr-dash-heading",
         "en-dash-heading", "fr-video", "en-video", "fr-script", "en-script",
         "fr-caps-heading", "fr-caps-heading-number", "fr-caps-heading-after-space"],
)  # fmt: skip
def test_glued_furniture_is_cut_out(raw: str, heading: str, after: str) -> None:
    lines = _body_lines(raw)
    body = "\n".join(lines)
    assert heading not in body
    assert any(line.startswith(after) for line in lines), lines
    assert lines[0] == raw[: len(lines[0])]  # the sentence before is kept whole


@pytest.mark.parametrize(
    ("raw", "language", "first", "second"),
    [
        (
            "Le bilan total des morts s'élève à 25.428.Des millions de masques ont été "
            "distribués dans les gares lundi matin.",
            "fr",
            "Le bilan total des morts s'élève à 25.428.",
            "Des millions de masques",
        ),
        (
            "The number of cases rose to 1,204 on Monday, up from 1.5.The health ministry "
            "said testing would be expanded next week.",
            "en",
            "The number of cases rose to 1,204 on Monday, up from 1.5.",
            "The health ministry said",
        ),
        (
            "L'opposant russe a été admis en réanimation la semaine dernière dans un hôpital "
            "de la ville sibérienne d'OmskSon entourage a alors immédiatement dénoncé un "
            "empoisonnement.",
            "fr",
            "L'opposant russe a été admis en réanimation",
            "Son entourage a alors",
        ),
        (
            "The opposition leader was taken to intensive care last week in a hospital in the "
            "Siberian city of OmskHis allies immediately said he had been poisoned.",
            "en",
            "The opposition leader was taken to intensive care",
            "His allies immediately said",
        ),
    ],
    ids=["fr-number", "en-number", "fr-sentence", "en-sentence"],
)
def test_glued_sentences_are_cut_apart_and_both_kept(
    raw: str, language: str, first: str, second: str
) -> None:
    lines = _body_lines(raw)
    sentences = split_sentences("\n\n".join(lines), language)
    assert len(sentences) == 2
    assert sentences[0].startswith(first)
    assert sentences[1].startswith(second)
    assert "".join(sentences).replace(" ", "") == raw.replace(" ", "")


@pytest.mark.parametrize(
    "raw",
    [
        "Il a rejoint la compagnie EgyptAir en 2015, puis le groupe AstraZeneca, a-t-il dit.",
        "Sur YouTube, la vidéo a dépassé les 61 millions de vues, selon la plateforme.",
        "The new iPhone and the eBay listing were both removed, the company said on Monday.",
        "Journalist Lyra McKee was shot dead in Londonderry, police said on Friday night.",
        "Leonardo DiCaprio posted on LinkedIn, on Instagram and on FaceTime, fans said.",
        "The campaign under the #MeToo and #StopCovid hashtags spread fast, they said.",
        "Call getElementById before the page loads, the documentation says in its guide.",
        'La ligne à grande vitesse "Nord" entre Paris et Lille est interrompue lundi.',
        'Il les a félicités pour être descendus "par millions" dans les rues, a-t-il dit.',
        "La députée MoDem du Cher, Nadia Essayan, a signé une tribune mardi dernier.",
        "Le prix (vidéo)par exemple a été fixé à 20 euros, selon le ministère de la Culture.",
        "The vote is due on Tuesday - the third this year - and may well fail again.",
        # acronyms in prose, and an all-caps word glued inside a sentence
        "Il était en charge de celle de la centrale nucléaire EDF voisine, selon la SNCF.",
        "Le Haut-Commissariat de l'ONU aux droits de l'homme a insisté, dans le VIIIe.",
        'Des "LGBTphobies" qui agressent, a dit la députée, selon ESPNcricinfo lundi.',
        "Le nouveau chef de la SNCFLe lendemain, a-t-il dit, a démissionné de son poste.",
        # a heading in mixed case that ends with an acronym is left as it is
        "Il avait rendez-vous avec Edouard Philippe.Touristes évacués, manifestants "
        '"nassés" par les CRSUne membre du collectif a été interpellée.',
    ],
)
def test_names_and_inline_quotes_are_not_glue(raw: str) -> None:
    assert parse_text(raw).body == raw


def test_a_sentence_about_following_stays() -> None:
    line = "Followers of the movement on Facebook said the talks were a good sign, he added."
    raw = f"A headline about the talks\n\nThe two governments agreed on Thursday.\n\n{line}\n"
    assert line in parse_text(raw).body


def test_arabic_page_labels_give_title_date_and_source_and_end_the_article() -> None:
    # arabkhabar.com/a/408017 (a WAM report, 2023), pasted: the Arabic date, source and
    # "read also" labels are furniture like their English ones; the teaser of another
    # story that follows "إقرأ أيضاً:" after the source line is not the article.
    raw = _read("ar_arabkhabar_quake.txt")
    article = parse_text(raw)
    assert article.title == "زلزال بقوة 5.1 درجة يضرب سواحل كاليفورنيا"
    assert article.source.published == dt.date(2023, 8, 21)
    assert article.source.name == "جريدة الوطن"
    assert article.body.startswith("ضرب زلزال بلغت قوته 5.1 درجة")
    for furniture in ("تاريخ النشر", "المصدر", "إقرأ أيضاً", "العراق", "2.7"):
        assert furniture not in article.body
    _assert_verbatim(article, raw)


def test_russian_page_date_and_bare_read_more() -> None:
    # ntv.ru/novosti/1348836 (2015), pasted: a numeric time stamp under the headline and a
    # bare "Читайте также" after the last paragraph.
    article = parse_text(_read("ru_ntv_quake.txt"))
    assert article.title == "В Туве произошло землетрясение"
    assert article.source.published == dt.date(2015, 3, 4)
    assert article.body.startswith("Подземный толчок магнитудой 3,8")
    assert article.body.endswith("О пострадавших и разрушениях не сообщается.")


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("تاريخ النشر: 21st, August 2023 GMT", dt.date(2023, 8, 21)),  # arabkhabar.com
        ("الأربعاء ٣١ ديسمبر ٢٠٢٥ الساعة ٩:٤٨ صباحاً", dt.date(2025, 12, 31)),  # almowaten.net
        ("Published: 4th, February 2024 GMT", dt.date(2024, 2, 4)),
        ("Опубликовано: 4 марта 2024, 10:15", dt.date(2024, 3, 4)),
        ("Yayınlanma: 4 Şubat 2024 10:15", dt.date(2024, 2, 4)),
        ("Pubblicato il 12 aprile 2023", dt.date(2023, 4, 12)),
        ("Gepubliceerd op 3 mei 2024", dt.date(2024, 5, 3)),
        ("发布时间：2024年2月4日 10:15", dt.date(2024, 2, 4)),
        ("입력 2024.02.04 10:15", dt.date(2024, 2, 4)),
        ("2024/02/04 10:15", dt.date(2024, 2, 4)),
    ],
)
def test_date_lines_in_more_languages_leave_the_body(line: str, date: dt.date) -> None:
    article = parse_text(f"{line}\n\n{BODY}\n")
    assert article.body == BODY
    assert article.source.published == date


@pytest.mark.parametrize(
    ("line", "field", "value"),
    [
        ("Источник: ТАСС", "name", "ТАСС"),
        ("Kaynak: AA", "name", "AA"),
        ("来源：新华社", "name", "新华社"),
        ("Źródło: PAP", "name", "PAP"),
        ("Muhabir: Yunus Okur", "author", "Yunus Okur"),  # dikgazete.com, under an AA report
        ("Autor: Łukasz Kowalski", "author", "Łukasz Kowalski"),
        ("Автор: Иван Петров", "author", "Иван Петров"),
    ],
)
def test_source_and_byline_lines_in_more_languages_and_scripts(
    line: str, field: str, value: str
) -> None:
    article = parse_text(f"{BODY}\n\n{line}\n")
    assert article.body == BODY
    assert getattr(article.source, field) == value


def test_furniture_labels_in_more_languages_leave_the_body() -> None:
    for label in ("Читайте также:", "Czytaj także:", "Lees ook:", "Поделиться", "Paylaş",
                  "Теги статті: КрымСейсмологияКримЗемлетрясение", "相关阅读"):  # fmt: skip
        assert parse_text(f"{BODY}\n\n{label}\n").body == BODY, label
    # A bare "read also" without a source line before it drops only itself: the article
    # may go on after the link.
    more = "The vote was close, and the opposition said it would appeal against the result."
    article = parse_text(f"{BODY}\n\nЧитайте также:\n\n{more}\n")
    assert article.body == f"{BODY}\n\n{more}"
    # Nor after a source line under the headline: the article is below it.
    article = parse_text(f"Source: Reuters\n\n{BODY}\n\nRead also:\n\n{more}\n")
    assert article.body == f"{BODY}\n\n{more}"


def test_label_alone_on_its_line_and_a_carousel_caption_copied_twice() -> None:
    # tvn24.pl (2020), pasted: "Źródło:" with its value on the next line, a bare
    # "Aktualizacja:", and a video carousel that copies its caption, once with the
    # channel's name glued on ("Relacja z ŁodziTVN24").
    raw = _read("pl_tvn24_vote.txt")
    article = parse_text(raw)
    assert article.title.startswith("Kilkanaście przypadków nieprawidłowości")
    assert article.source.name == "tvn24.pl, PAP"
    assert article.body.startswith("Do godziny 21 w niedzielę trwa głosowanie")
    for furniture in ("Źródło", "Aktualizacja", "Relacja z Łodzi", "tvn24.pl"):
        assert furniture not in article.body, furniture
    _assert_verbatim(article, raw)
    # A line said twice in a short text without being a caption stays when it is a
    # sentence; the first line (a headline a page repeats) stays the title.
    text = "Storm hits the coast\n\nStorm hits the coast\n\n" + (
        "The storm reached the coast on Monday night, cutting power to thousands of homes.\n"
    )
    assert parse_text(text).title == "Storm hits the coast"


def test_chinese_page_menu_is_no_title() -> None:
    # cqoe.com.cn (2021), pasted: the site's menu, its words set apart by spaces as
    # Chinese prose never is, was taken for the headline.
    raw = _read("zh_cqoe_reporters.txt")
    article = parse_text(raw)
    assert article.title == "本报记者直插震中"
    assert article.source.published == dt.date(2021, 6, 13)
    assert "首页" not in article.body and "当前位置" not in article.body
    assert article.body.startswith("面对网络上纷至沓来的灾区消息")
    # A Korean headline spaces its words and stays one.
    korean = "서울 도심서 규모 3.5 지진 발생\n\n" + (
        "서울 도심에서 규모 3.5의 지진이 발생했다고 기상청이 밝혔다. 피해는 보고되지 않았다.\n"
    )
    assert parse_text(korean).title == "서울 도심서 규모 3.5 지진 발생"


def test_japanese_pages_section_label_and_related_list_above_the_headline() -> None:
    # nikkan.co.jp (2016), pasted: a section's name in brackets opened the first sentence.
    article = parse_text(_read("ja_nikkan_kumamoto.txt"))
    assert article.body.startswith("気象庁は16日、熊本県熊本地方などで")
    assert "政治・経済" not in article.body
    assert article.source.published == dt.date(2016, 4, 16)
    # xsionx.com (2022), pasted: related stories listed above the headline, which was
    # glued to the first sentence of the body.
    raw = _read("ja_related_list_above.txt")
    article = parse_text(raw)
    assert article.title == "最大震度4を3月下旬から12回観測 気象庁「相互の地震の関係は考えにくい」"
    assert article.body.startswith("先月下旬以降、最大震度4のやや強い地震が")
    assert "TBS NEWS DIG" not in article.body


def test_portuguese_pages_headline_over_a_date_cut_in_lines_and_a_comments_link() -> None:
    # terra.com.br (2013), pasted: the date under the headline cut over lines ("12 nov" /
    # "2013" / "- 03h57") made the headline look like a wrapped sentence's first line,
    # and "Exibir comentários" (show comments) stayed in the body.
    article = parse_text(_read("pt_terra_filipinas.txt"))
    assert article.title == "Terremoto de 4,8 graus de magnitude atinge as Filipinas"
    assert "comentários" not in article.body
    assert article.body.startswith("Um terremoto de 4,8 graus de magnitude atingiu")
    assert article.source.name == "Terra"


def test_portuguese_bodies_are_organizations() -> None:
    from bot.nlp.entities import extract_entities
    from bot.nlp.sentences import split_sentences

    # exame.com (2018): "Observatório…" and "Serviço…" were typed as persons.
    article = parse_text(_read("pt_exame_bolivia.txt"))
    entities = extract_entities(split_sentences(article.body, "pt"), language="pt")
    kinds = {e.text: e.type for e in entities}
    assert kinds["Observatório Sismológico de San Calixto"] == "organization"
    assert kinds["Serviço Geológico dos EUA"] == "organization"
    assert kinds["Bolívia"] == "place"


def test_hebrew_page_gallery_counter_and_doubled_caption() -> None:
    # ynet.co.il, pasted: a gallery's counter ("1 צפייה בגלריה") was the title, above a
    # caption printed twice and a credit.
    raw = _read("he_ynet_samaria.txt")
    article = parse_text(raw)
    assert article.title is None
    assert article.body.startswith("רעידת אדמה בעוצמה 3.3 התרחשה הבוקר")
    for furniture in ("צפייה בגלריה", "אילוסטרציה", "צילום", "shutterstock"):
        assert furniture not in article.body, furniture
    _assert_verbatim(article, raw)
