from __future__ import annotations

import json
from pathlib import Path

import pytest
from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.nlp.stemmers import Stemmer
from sumy.parsers.plaintext import PlaintextParser
from sumy.summarizers.lex_rank import LexRankSummarizer

from bot.nlp.sentences import Tokenizer, split_sentences
from bot.nlp.tokens import count_words

DATA = Path(__file__).resolve().parents[1] / "data" / "text"

# (language, text, expected sentences)
CASES: list[tuple[str, str, list[str]]] = [
    # --- English abbreviations, initials, numbers
    (
        "en",
        "Mr. Smith met Mrs. Jones and Dr. Brown at St. Paul's. Prof. Green was late.",
        ["Mr. Smith met Mrs. Jones and Dr. Brown at St. Paul's.", "Prof. Green was late."],
    ),
    (
        "en",
        "The U.S. economy grew. The U.K. did not. Congress voted on H.R. 1 on Jan. 25, 2019. "
        "It passed.",
        [
            "The U.S. economy grew.",
            "The U.K. did not.",
            "Congress voted on H.R. 1 on Jan. 25, 2019.",
            "It passed.",
        ],
    ),
    (
        "en",
        "Bring fruit, e.g. apples, i.e. red ones, etc. and more. Bring nuts, etc. The end.",
        ["Bring fruit, e.g. apples, i.e. red ones, etc. and more.", "Bring nuts, etc.", "The end."],
    ),
    (
        "en",
        "J. R. R. Tolkien wrote books. George W. Bush was president. He left in Feb. The end.",
        [
            "J. R. R. Tolkien wrote books.",
            "George W. Bush was president.",
            "He left in Feb.",
            "The end.",
        ],
    ),
    (
        "en",
        "It rose 3.5 percent to 2,500 units worth 1.000.000 euros. Then it fell... Nobody knew "
        "why... but it did.",
        [
            "It rose 3.5 percent to 2,500 units worth 1.000.000 euros.",
            "Then it fell...",
            "Nobody knew why... but it did.",
        ],
    ),
    (
        "en",
        '"I am leaving," he said. "Goodbye." She asked: \'What do you think?!\' Harry shrugged.',
        [
            '"I am leaving," he said.',
            '"Goodbye."',
            "She asked: 'What do you think?!'",
            "Harry shrugged.",
        ],
    ),
    (
        "en",
        "Visit www.example.com for details. Node.js runs in the U.S.A too. It costs No. 5 at "
        "Apple Inc. in the U.S. Army base.",
        [
            "Visit www.example.com for details.",
            "Node.js runs in the U.S.A too.",
            "It costs No. 5 at Apple Inc. in the U.S. Army base.",
        ],
    ),
    (
        "en",
        "It happened at 9 a.m. The police arrived later. Martin Luther King Jr. He spoke.",
        [
            "It happened at 9 a.m.",
            "The police arrived later.",
            "Martin Luther King Jr.",
            "He spoke.",
        ],
    ),
    (
        "en",
        "Results: 1. Lewis Hamilton (Britain) 1:35.782 2. Nico Rosberg (Germany). He won. "
        "3. The next race is in May.",
        [
            "Results: 1. Lewis Hamilton (Britain) 1:35.782 2. Nico Rosberg (Germany).",
            "He won.",
            "3. The next race is in May.",
        ],
    ),
    # --- French
    (
        "fr",
        "M. Dupont et MM. Martin et Durand sont venus. Mme Leroy et Mlle Petit aussi. "
        "Le Dr Sow les a reçus au n° 5, p. ex. ici.",
        [
            "M. Dupont et MM. Martin et Durand sont venus.",
            "Mme Leroy et Mlle Petit aussi.",
            "Le Dr Sow les a reçus au n° 5, p. ex. ici.",
        ],
    ),
    (
        "fr",
        "La voiture développe 60 ch.La Mini est plus chère. Il a raconté.Lors de leur "
        "échange, il a dit non.L'ex-ministre a répondu.",
        [
            "La voiture développe 60 ch.",
            "La Mini est plus chère.",
            "Il a raconté.",
            "Lors de leur échange, il a dit non.",
            "L'ex-ministre a répondu.",
        ],
    ),
    # One-letter words glued after a full stop (OrangeSum, scraped articles)
    (
        "fr",
        "Un premier décès a été enregistré dans le nord-ouest de la Syrie.A l'inverse, la "
        "situation au Brésil semble se stabiliser selon l'OMS. François Gourand, "
        "prévisionniste à Météo France.À partir de jeudi, c'est toute la moitié sud du pays.",
        [
            "Un premier décès a été enregistré dans le nord-ouest de la Syrie.",
            "A l'inverse, la situation au Brésil semble se stabiliser selon l'OMS.",
            "François Gourand, prévisionniste à Météo France.",
            "À partir de jeudi, c'est toute la moitié sud du pays.",
        ],
    ),
    (
        "fr",
        "Il a dirigé la lutte contre le terrorisme.M. Drouet a par ailleurs indiqué que "
        "c'était la seule demande. Ils pourront organiser un déconfinement plus large que "
        "ceux en rouge.Y aura-t-il assez de masques ? Il a assuré. \"Ce n'est pas seulement "
        "notre problème\", \"c'est le problème de tout le monde\".A l'appel d'une "
        "association, des manifestants ont posé genou à terre.",
        [
            "Il a dirigé la lutte contre le terrorisme.",
            "M. Drouet a par ailleurs indiqué que c'était la seule demande.",
            "Ils pourront organiser un déconfinement plus large que ceux en rouge.",
            "Y aura-t-il assez de masques ?",
            "Il a assuré.",
            '"Ce n\'est pas seulement notre problème", "c\'est le problème de tout le monde".',
            "A l'appel d'une association, des manifestants ont posé genou à terre.",
        ],
    ),
    (
        "fr",
        "L'homme, présenté par la Cour comme s'appelant A.M., avait été interpellé. "
        "A.M. a désormais trois mois. M.Macron et J.K. Rowling lisent E.ON et "
        "www.afastronomie.fr ou www.Site.Com/A la une, le Site.Com et le fichier rapport.pdf "
        "des U.S.A à 3.5 et ONU.A la fin.",
        [
            "L'homme, présenté par la Cour comme s'appelant A.M., avait été interpellé.",
            "A.M. a désormais trois mois.",
            "M.Macron et J.K. Rowling lisent E.ON et www.afastronomie.fr ou www.Site.Com/A la "
            "une, le Site.Com et le fichier rapport.pdf des U.S.A à 3.5 et ONU.A la fin.",
        ],
    ),
    (
        "fr",
        "« Pourquoi ? » a-t-il dit. Il est parti. « C'est fini », a-t-il ajouté. "
        "« Je pars. » Le lendemain, il revint.",
        [
            "« Pourquoi ? » a-t-il dit.",
            "Il est parti.",
            "« C'est fini », a-t-il ajouté.",
            "« Je pars. »",
            "Le lendemain, il revint.",
        ],
    ),
    (
        "fr",
        "Pourquoi ?» a-t-il demandé. Ils ont convenu d'établir « un calendrier précis et "
        "clair... pour le retrait ». Le calendrier dépendra de la menace.",
        [
            "Pourquoi ?» a-t-il demandé.",
            "Ils ont convenu d'établir « un calendrier précis et clair... pour le retrait ».",
            "Le calendrier dépendra de la menace.",
        ],
    ),
    (
        "fr",
        "Les États-Unis ont maintenu quelque 2\u00a0500 soldats en Irak. Ils ont 2 500 véhicules.",
        [
            "Les États-Unis ont maintenu quelque 2\u00a0500 soldats en Irak.",
            "Ils ont 2 500 véhicules.",
        ],
    ),
    (
        "fr",
        '"Je l\'ai eu en travers de la gorge""Je ne m\'attendais pas à le croiser." Il '
        'pleure."Tolérance""Ce n\'est pas gênant", a-t-il dit.',
        [
            '"Je l\'ai eu en travers de la gorge"',
            '"Je ne m\'attendais pas à le croiser."',
            "Il pleure.",
            '"Tolérance"',
            '"Ce n\'est pas gênant", a-t-il dit.',
        ],
    ),
    (
        "fr",
        "Il a dit « stop »Le lendemain, tout a changé. Vraiment ?Oui ! C'est vrai !»Puis rien.",
        [
            "Il a dit « stop »",
            "Le lendemain, tout a changé.",
            "Vraiment ?",
            "Oui !",
            "C'est vrai !»",
            "Puis rien.",
        ],
    ),
    (
        "fr",
        "Vous allez à Montparnasse (...) Vous faites la rue. On entend les hurlements... "
        '", confie Serge. Fin.',
        [
            "Vous allez à Montparnasse (...) Vous faites la rue.",
            'On entend les hurlements... ", confie Serge.',
            "Fin.",
        ],
    ),
    # --- German
    (
        "de",
        "Hr. Müller wohnt in der Str. Nr. 5. Er kam am 3. Oktober 2023 an. Das war z. B. gut. "
        "Dr. Meier, d. h. der Arzt, kam auch. Prof. Dr. Weber war Nr. 1 im Jahr 2019. Der "
        "Rest folgte.",
        [
            "Hr. Müller wohnt in der Str. Nr. 5.",
            "Er kam am 3. Oktober 2023 an.",
            "Das war z. B. gut.",
            "Dr. Meier, d. h. der Arzt, kam auch.",
            "Prof. Dr. Weber war Nr. 1 im Jahr 2019.",
            "Der Rest folgte.",
        ],
    ),
    (
        "de",
        "»Das ist gut«, sagte er. »Wirklich?« Ja. Er sagte: „Wir kommen.“ Dann ging er.",
        [
            "»Das ist gut«, sagte er.",
            "»Wirklich?«",
            "Ja.",
            "Er sagte: „Wir kommen.“",
            "Dann ging er.",
        ],
    ),
    # --- Spanish
    (
        "es",
        "El Sr. García y la Sra. López visitaron a Dña. María. EE. UU. ha respondido. "
        "Llegó a EE. UU. El presidente habló.",
        [
            "El Sr. García y la Sra. López visitaron a Dña. María.",
            "EE. UU. ha respondido.",
            "Llegó a EE. UU.",
            "El presidente habló.",
        ],
    ),
    (
        "es",
        "¿Qué pasa? Nadie sabe. ¡Increíble! Dijo que sí. Costó 1.500 euros, aprox. 2 millones.",
        [
            "¿Qué pasa?",
            "Nadie sabe.",
            "¡Increíble!",
            "Dijo que sí.",
            "Costó 1.500 euros, aprox. 2 millones.",
        ],
    ),
    # --- Lines and paragraphs
    (
        "en",
        "Breaking News\nThe president said this.\nIt is raining\nand cold in the city.\n\n"
        "A paragraph without a full stop\n\nItems:\n- item one\n- item two\n",
        [
            "Breaking News",
            "The president said this.",
            "It is raining\nand cold in the city.",
            "A paragraph without a full stop",
            "Items:",
            "item one",
            "item two",
        ],
    ),
    (
        "en",
        "The council voted on Tuesday to approve a new budget that increases spending on\n"
        "Public transport by 12 percent, ending months of debate between the mayors. It\n"
        "takes effect in July.",
        [
            "The council voted on Tuesday to approve a new budget that increases spending on\n"
            "Public transport by 12 percent, ending months of debate between the mayors.",
            "It\ntakes effect in July.",
        ],
    ),
    (
        "zh",
        "今天天气很好。我们去公园吧！你来吗？",
        ["今天天气很好。", "我们去公园吧！", "你来吗？"],
    ),
    # --- a quotation and its attribution stay one sentence (issue 12, held-out Russian)
    (
        "ru",
        '«Мы никому не отдадим нашу землю!" - заявил Александр Лукашенко на встрече с '
        "военными. Учения продлятся неделю.",
        [
            '«Мы никому не отдадим нашу землю!" - заявил Александр Лукашенко на встрече с '
            "военными.",
            "Учения продлятся неделю.",
        ],
    ),
    (
        "ru",
        "— Мы победим! — сказал он. — Когда? — Скоро.",
        ["Мы победим! — сказал он.", "Когда?", "Скоро."],  # (dialogue dashes: not text)
    ),
    (
        "en",
        '"We will not give up!" - said the mayor. - The council meets on Monday.',
        ['"We will not give up!" - said the mayor.', "The council meets on Monday."],
    ),
]


@pytest.mark.parametrize(("language", "text", "expected"), CASES)
def test_split(language: str, text: str, expected: list[str]) -> None:
    assert split_sentences(text, language) == expected


@pytest.mark.parametrize("text", ["", "   \n\n  ", "...", "— « » —"])
def test_nothing_to_split(text: str) -> None:
    assert split_sentences(text, "en") == []


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


ROWS = _rows("cnndm_sample.jsonl") + _rows("orangesum_sample.jsonl")


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row["id"][:12])
def test_real_articles_split_into_verbatim_sentences(row: dict[str, str]) -> None:
    article = row["article"]
    sentences = split_sentences(article, row["language"])
    for sentence in sentences:
        assert sentence in article
        assert sentence == sentence.strip()
    # Nothing is lost: the sentences cover every word of the article, in order.
    assert sum(count_words(s) for s in sentences) == count_words(article)
    position = 0
    for sentence in sentences:
        position = article.index(sentence, position) + len(sentence)
    # Plausible count for news prose: 8 to 60 words per sentence on average.
    words_per_sentence = count_words(article) / len(sentences)
    assert 8 <= words_per_sentence <= 60, words_per_sentence


def test_seed_article_sentences() -> None:
    text = (DATA / "fr_presstv_seed.txt").read_text(encoding="utf-8")
    sentences = split_sentences(text, "fr")
    assert all(s in text for s in sentences)
    assert (
        "Les deux pays ont convenu de former des groupes de travail qui seront chargés "
        "d’établir «\u00a0un calendrier précis et clair... pour le retrait progressif des "
        "conseillers militaires américains\u00a0»." in sentences
    )
    assert "Partager Cet Article" in sentences  # a line of its own, not glued to a sentence


def test_tokenizer_plugs_into_sumy() -> None:
    tokenizer = Tokenizer("fr")
    assert tokenizer.language == "fr"
    assert tokenizer.to_sentences("M. Dupont est venu. Il est reparti.") == (
        "M. Dupont est venu.",
        "Il est reparti.",
    )
    assert tokenizer.to_words("Aujourd'hui, l'armée a 2 500 soldats.") == (
        "Aujourd'hui",
        "l'armée",
        "a",
        "2",
        "500",
        "soldats",
    )
    article = _rows("orangesum_sample.jsonl")[0]["article"]
    parser = PlaintextParser.from_string(article, tokenizer)
    summary = LexRankSummarizer(Stemmer("french"))(parser.document, 3)
    assert len(summary) == 3
    assert all(str(sentence) in article for sentence in summary)


def test_tokenizer_with_a_hand_built_document() -> None:
    tokenizer = Tokenizer("en")
    sentences = [Sentence(s, tokenizer) for s in tokenizer.to_sentences("Hi there. Bye now.")]
    document = ObjectDocumentModel([Paragraph(sentences)])
    assert [str(s) for s in document.sentences] == ["Hi there.", "Bye now."]
    assert document.words == ("Hi", "there", "Bye", "now")
