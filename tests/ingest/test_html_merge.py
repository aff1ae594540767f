"""The precision and recall passes combined paragraph by paragraph, on real pages."""

from __future__ import annotations

import gzip
import json
import time
import unicodedata
from pathlib import Path

from bot.ingest.files import decode_text
from bot.ingest.html import extract_html
from bot.ingest.html_merge import MIN_WORDS, merge_passes

DATA = Path(__file__).resolve().parent.parent / "data" / "html"
EVAL = DATA / "trafilatura_eval"


def body(path: Path) -> str:
    """The body extracted from a page of the test data (a `.gz` one unpacked first)."""
    page = path.read_bytes()
    if path.suffix == ".gz":
        page = gzip.decompress(page)
    return extract_html(decode_text(page, is_html=True)).body


def test_lead_paragraph_dropped_by_the_precision_pass_comes_back_first() -> None:
    paragraphs = body(EVAL / "hss.de-Regierung.html").split("\n\n")
    # The precision pass starts at the second paragraph; the lead is the article's first.
    assert paragraphs[0].startswith("Najla Bouden ist die erste Regierungschefin")
    assert paragraphs[1].startswith("15 Tage nach ihrer Ernennung")
    # The contact box after the article stays out (nothing is taken after the last
    # paragraph the precision pass kept).
    text = "\n".join(paragraphs)
    assert "Naher Osten, Nordafrika" not in text
    assert "E-Mail: schmidtm@hss.de" not in text


def test_paragraph_dropped_in_the_middle_comes_back_in_order() -> None:
    paragraphs = body(EVAL / "gala.fr.surnom.html").split("\n\n")
    recovered = next(i for i, p in enumerate(paragraphs) if p.startswith("Face à la forte"))
    assert paragraphs[recovered - 1].startswith("Chargé de porter la réforme des retraites")
    assert paragraphs[recovered + 2].startswith('"Chirac le surnommait')


def test_gallery_captions_between_headline_and_body_stay_out() -> None:
    # A chron.com page: the recall pass has a photo gallery ("Image 1 of 8", captions,
    # "Close") between the headline and the article; the captions read like sentences.
    (page,) = DATA.glob("db6b0816c6*.html")
    truth = {r["id"]: r for r in map(json.loads, (DATA / "truth.jsonl").read_text().splitlines())}
    text = body(page)
    assert "Mark Esper, left, and Vietnamese Defense Minister" not in text
    assert "Photo: Hau Dinh" not in text
    assert text.split("\n\n")[0] == truth[page.stem]["body"].split("\n")[0].strip()


def test_short_copyright_credits_are_not_body_text() -> None:
    text = body(EVAL / "sportnews.bz-peking.html")
    assert "©" not in text
    assert "MARCO BERTORELLO" not in text
    assert "bereits zur jüngsten Slalom-Olympiasiegerin" in text


def test_merge_keeps_the_precision_text_when_the_passes_disagree() -> None:
    precise = "Alpha paragraph of the article, kept by the precision pass.\nSecond one."
    assert merge_passes(precise, "Something else entirely.\nAnd more.") == precise
    assert merge_passes(precise, "") == precise


def test_merge_takes_prose_between_kept_paragraphs_but_not_teasers_or_the_tail() -> None:
    prose = " ".join(["word"] * MIN_WORDS) + "."
    broad = "\n".join(["One.", prose, "Teaser headline without an end", "Two.", prose + " tail"])
    assert merge_passes("One.\nTwo.", broad) == f"One.\n{prose}\nTwo."


def test_merge_is_linear() -> None:
    # 100,000 paragraphs (5 MB, more than html.py lets through), every other one a
    # repeated prose paragraph between two kept ones: linear work, about 5 s here when
    # the machine is busy (a quadratic alignment would take hours).
    prose = " ".join(["word"] * MIN_WORDS) + "."
    precise = "\n".join(["same"] * 50_000)
    broad = "\n".join(["same", prose] * 50_000)
    started = time.perf_counter()
    merged = merge_passes(precise, broad)
    assert time.perf_counter() - started < 20.0
    assert merged.count(prose) == 1  # a repeated paragraph is taken once


def test_a_heading_of_other_content_near_the_end_ends_the_article() -> None:
    # incurvy.de: the interview ends, then "Das Thema könnte dich auch interessieren:"
    # heads the related posts; petri-heil.ch: the comments ("0 Kommentare").
    text = body(EVAL / "incurvy.de.wellness.html")
    assert text.endswith("ganz viel Erfolg mit deinem Kosmetikstudio!")
    assert "könnte dich auch interessieren" not in text
    text = body(EVAL / "petri-heil-ch-hechte.html")
    assert text.endswith("lasse ich die winterliche Hechtfischerei einfach ruhen.")
    assert "Kommentare" not in text


def test_further_information_and_contacts_after_a_press_release_are_not_the_article() -> None:
    # mpimet.mpg.de: "Weitere Informationen:" (related news) and "Kontakt:" (three
    # scientists' e-mail addresses) follow the release.
    text = body(EVAL / "mpimet.de.klimasystem.html")
    assert text.endswith("WarmWorld und ESIWACE geleistet.")
    assert "Kontakt" not in text and "E-Mail" not in text


def test_advertising_disclosures_and_calls_to_follow_the_site_are_not_the_article() -> None:
    text = body(EVAL / "thepointsguy.com.alaska.html.gz")
    assert text.startswith("Alaska Airlines has a new date for when it will be a full fledged")
    assert "references to products from one or more of our advertisers" not in text
    text = body(EVAL / "journelles.de.westwing.html.gz")
    assert text.startswith("Geschenke für die Liebsten aussuchen")
    assert "Affiliate Links" not in text
    text = body(EVAL / "nationnews.com-tridents.html.gz")
    assert text.endswith("preparing for and playing well in the tournament. (NM)")
    assert "download the Nationnews apps" not in text


def test_text_comes_out_in_one_canonical_form_whatever_the_page_used() -> None:
    # ukbdnews.com writes "য়" as one code point (U+09DF), which NFC spells as two
    # (য + the nukta): the same letter, and now the same text as the annotation's.
    text = body(EVAL / "ukbdnews.com.23646.html.gz")
    assert unicodedata.is_normalized("NFC", text) and "\u09df" not in text
    assert "কুষ্টিয়া-১ (দৌলতপুর) আসনের সংসদ সদস্য (এমপি) অ্যাডভোকেট" in text
    assert "আজ শনিবার (২৯ আগস্ট) সকাল সাড়ে ৭টার" in text


def test_the_standfirst_both_passes_leave_out_opens_the_article() -> None:
    # tagesspiegel.de shows its description above the article, outside the container
    # trafilatura reads; it is the page's own lead paragraph.
    text = body(EVAL / "tagesspiegel.de.abstandsregeln.html.gz")
    assert text.startswith(
        "Damit Mitarbeiter gesund bleiben, müssen sich Unternehmen einiges einfallen "
        "lassen. Die Ideen reichen vom Spuckschutz bis zur Kontrolle der Körpertemperatur."
    )
    assert text.split("\n\n")[1].startswith("Hinein kommt nur, wer die richtigen Werte hat.")


def test_a_description_the_page_does_not_show_is_not_added() -> None:
    # An AP report: its description ("The Taliban said they freed on Tuesday…") is only
    # in the page's metadata; the article's own first paragraph opens the body.
    text = body(DATA / "a1fca19b884e0e946ad3fbe2a7f5031e5e3b23372702a76db302b6143c77cb31.html")
    assert text.startswith("Two hostages — an American and an Australian — who had been held")
    assert "The Taliban said they freed" not in text


def test_a_read_more_teaser_inside_the_article_does_not_end_it() -> None:
    # uusisuomi.fi: "Lue myös:" ("read also") halfway down; the article goes on below it.
    text = body(EVAL / "uusisuomi.fi.angela.html.gz")
    assert "Charles Michels yrittää nyt saada aikaan kompromissia" in text
    assert "Merkel korosti." in text
