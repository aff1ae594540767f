"""Same-story grouping: real ECB+ clusters, the keys names give, the window and bounds."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import replace

from bot.models import Article, Entity
from bot.nlp.stories import GroupingParams, StoryIndex
from bot.nlp.story_features import StoryFeatures, story_features
from bot.pipeline import analyse
from bot.stories import group, item_from_row
from tests.conftest import DATA

SAMPLE = DATA / "stories" / "ecb_sample.jsonl"


def _extra() -> list[dict]:
    text = (DATA / "stories" / "ecb_types.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def _sample() -> tuple[list[dict], dict[str, str]]:
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    return rows, {r["id"]: r["story"] for r in rows}


def test_real_clusters_are_grouped_without_a_false_merge() -> None:
    rows, gold = _sample()
    predicted = group([item_from_row(r) for r in rows])
    stories: dict[str, set[str]] = defaultdict(set)
    for item, story in predicted.items():
        stories[story].add(gold[item])
    assert all(len(golds) == 1 for golds in stories.values())  # no two stories merged

    def story_of(label: str) -> set[str]:
        return {predicted[i] for i, g in gold.items() if g == label}

    assert len(story_of("14/ecbplus")) == 1  # five outlets, one story
    assert len(story_of("1/ecb")) == 1 and len(story_of("1/ecbplus")) == 1
    assert story_of("1/ecb") != story_of("1/ecbplus")  # two stars in rehab: two stories
    assert len(story_of("19/ecb")) == 1
    assert not story_of("19/ecb") & story_of("8/ecbplus")  # riots in Greece, two years apart


def test_input_order_does_not_matter_without_dates() -> None:
    rows, _ = _sample()
    items = [item_from_row(r) for r in rows]
    assert group(items) == group(list(reversed(items)))


def test_full_names_and_declined_forms_meet_across_languages() -> None:
    def names(text: str, language: str) -> frozenset[str]:
        return story_features(None, [], [Entity(text=text, type="person", count=2)], language).names

    assert names("Emmanuel Macron", "en") & names("Emmanuel Macron", "fr")
    assert names("Emmanuel Macron", "en") & names("Brigitte Macron", "fr")  # the surname
    assert names("Владимира Путина", "ru") & names("Владимир Путин", "ru")

    # ECB+ reports name "The New York Times" and "New York Times", "The Canadian Press"
    # and "Canadian Press": an English article opening a name is no part of its key.
    def org(text: str, language: str) -> frozenset[str]:
        entity = Entity(text=text, type="organization", count=2)
        return story_features(None, [], [entity], language).names

    assert org("The New York Times", "en") == org("New York Times", "en") != frozenset()
    assert org("The Guardian", "fr") == org("Guardian", "fr")
    # A generation is no surname: "Anthony LaCalamita III" (ECB+) had the key "E:S:iii".
    assert names("Anthony LaCalamita III", "en") == names("Anthony LaCalamita", "en")
    assert "E:S:jr" not in names("Joseph Comeaux Jr", "en")
    # A lone surname is no key of its own: on ECB+ dev A it merged look-alike stories
    # ("Jackson" arrested, twice) and cost 0.013 to 0.020 of precision.
    assert not names("Macron", "fr") & names("Emmanuel Macron", "en")


def test_numbers_and_words_are_keys_words_by_language() -> None:
    f = story_features("Earthquake of magnitude 6.1 kills 42", ["Rescuers searched."], [], "en")
    assert {"#6.1", "#42"} <= f.numbers
    assert all(w.startswith("w:en:") for w in f.words) and "w:en:earthquak" in f.words


def _features(title: str) -> StoryFeatures:
    entities = [Entity(text="Tara Reid", type="person", count=3)]
    return story_features(title, ["Tara Reid checked into a rehab centre."], entities, "en")


def test_the_window_keeps_old_items_out() -> None:
    index = StoryIndex(GroupingParams(window_seconds=36 * 3600))
    first = index.assign("a", _features("Tara Reid checks into rehab"), 0.0)
    near = index.assign("b", _features("Tara Reid enters rehab"), 3600.0)
    late = index.assign("c", _features("Tara Reid in rehab"), 40 * 3600.0)
    assert first == near == "a" and late == "c"
    assert len(index) == 1  # "a" and "b" left the window when "c" came


def test_the_index_is_bounded() -> None:
    index = StoryIndex(GroupingParams(max_items=5))
    for n in range(20):
        index.assign(str(n), _features(f"Tara Reid {n}"), None)
    assert len(index) <= 5
    assert sum(len(p) for p in index._postings.values()) <= 5 * 40


def test_a_big_story_s_next_report_meets_its_latest_reports() -> None:
    # Each key finds candidates among its `recent_postings` latest items only (the work
    # per new item is bounded by the keys, not by the window): a story with more
    # reports than that still takes its next one.
    index = StoryIndex(GroupingParams(recent_postings=5))
    stories = {index.assign(str(n), _features(f"Tara Reid rehab {n}"), None) for n in range(30)}
    assert stories == {"0"}
    assert index.match(_features("Tara Reid leaves rehab")) == "0"
    assert len(index._postings["E:N:tara reid"]) == 30


def test_an_html_item_has_the_keys_of_its_text() -> None:
    row = json.loads(SAMPLE.read_text(encoding="utf-8").splitlines()[0])
    html = (f"<html><head><title>{row['title']}</title></head><body><article>"
            f"<h1>{row['title']}</h1><p>{row['text']}</p></article></body></html>")  # fmt: skip
    page, text = item_from_row({"id": "page", "html": html}), item_from_row(row)
    assert page.features.names == text.features.names
    assert page.features.words == text.features.words


def test_across_languages_only_names_and_figures_count() -> None:
    """The rule: a French and an English item sharing their names and figures meet;
    sharing a country alone, not."""

    def item(title: str, language: str, *names: tuple[str, str]) -> StoryFeatures:
        ents = [Entity(text=t, type=k, count=2) for t, k in names]  # type: ignore[arg-type]
        return story_features(title, [], ents, language)

    index = StoryIndex()
    people = ("Mariano Rajoy", "person")
    quake = item("Earthquake of magnitude 6.1 near Lorca kills 9", "en",
                 ("Lorca", "place"), ("Spain", "place"), people)  # fmt: skip
    assert index.assign("en", quake) == "en"
    seisme = item("Séisme de magnitude 6.1 à Lorca: 9 morts", "fr",
                  ("Lorca", "place"), ("Espagne", "place"), people)  # fmt: skip
    assert index.assign("fr", seisme) == "en"
    other = item("Élections en Espagne", "fr", ("Espagne", "place"))
    assert index.assign("other", other) == "other"


def test_a_name_spelled_its_own_way_in_each_language_has_one_skeleton() -> None:
    from bot.nlp.story_features import skeleton

    same = [
        ("Kamchatka", "Kamtchatka", "Kamtschatka"),  # en, fr, de
        ("Putin", "Poutine", "Путин"),
        ("Zelensky", "Selenskyj", "Зеленский", "Зеленський"),  # ru, uk
        ("Ivaniv", "Іванів"),  # a Ukrainian capital I
        ("Gonta", "Ґонта"),
        ("Navalny", "Nawalny", "Навальный"),
        ("Khodorkovsky", "Chodorkowski"),
        ("Erdogan", "Erdoğan"),
        ("Christchurch", "Christchurch"),
    ]
    for spellings in same:
        assert len({skeleton(s) for s in spellings}) == 1, spellings
    distinct = ["Macron", "Merkel", "Marcon", "Putin", "Patton", "Kamchatka", "Sichuan"]
    marks = [skeleton(s) for s in distinct]
    assert len(set(marks)) == len(marks) - 1  # "Putin" and "Patton" meet: consonants only
    assert skeleton("Putin") == skeleton("Patton")


def test_marks_are_the_surnames_and_long_name_words_not_countries() -> None:
    entities = [
        Entity(text="Emmanuel Macron", type="person", count=3),
        Entity(text="Kamtschatka", type="place", count=2),
        Entity(text="Deutschland", type="place", count=2),
        Entity(text="Notre-Dame de Paris", type="other", count=1),
    ]
    marks = story_features(None, [], entities, "de").marks
    assert marks == {"X:mkrn", "X:kmXtk"}


def test_reports_of_two_earthquakes_in_four_languages_make_two_stories() -> None:
    """Real reports (headline and lead) of the Turkey-Syria earthquake of February 2023 and
    the Morocco earthquake of September 2023 in English, French, German and Italian, with no
    dates to tell them apart: each quake's reports meet across languages ("Marrakech",
    "Marrakesch"; "Kahramanmaras"; "7,8" and "7.8"), the two quakes never do."""
    text = (DATA / "stories" / "quakes_xlang.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines()]
    gold = {r["id"]: r["story"] for r in rows}
    language = {r["id"]: r["language"] for r in rows}
    predicted = group([item_from_row(r) for r in rows])
    stories: dict[str, list[str]] = defaultdict(list)
    for item, story in predicted.items():
        stories[story].append(item)
    assert all(len({gold[i] for i in items}) == 1 for items in stories.values())
    for quake in ("morocco-2023", "turkey-syria-2023"):
        groups = [items for items in stories.values() if gold[items[0]] == quake]
        # a story told in English, French and German at least (before names' skeletons
        # and the lower bar across languages: none, and 15 stories for the 17 reports)
        assert any({"en", "fr", "de"} <= {language[i] for i in g} for g in groups), groups
    assert len(stories) <= 10


def test_declined_and_genitive_names_are_marked_by_their_base_form() -> None:
    def marks(sentence: str, language: str) -> frozenset[str]:
        return story_features(None, [sentence], [], language).marks

    english = marks("Talks with Vladimir Putin in Moscow ended on Monday.", "en")
    assert {"X:ptn", "X:vldmr"} <= english
    assert "X:ptn" in marks("Der Krieg Putins geht weiter, sagte Selenskyj.", "de")
    assert "X:vldmr" in marks("Встреча с Владимиром Путиным прошла в Москве.", "ru")


def test_a_city_names_its_story_as_a_person_does_a_country_less() -> None:
    # Cities used to weigh as little as countries; on ECB+ (dev A decided, B confirmed)
    # weighing them as names raised precision and recall on both halves.
    index = StoryIndex()
    city, person, country = "P:H:Pittsburgh", "E:N:vincent jackson", "P:C:US"
    assert index._weight(city) == index._weight(person) == 3 * index._weight(country)
    assert index._weight("P:T:Europe/Paris") == index._weight(city)


def test_a_name_has_one_key_whatever_type_each_report_gives_it() -> None:
    # Two ECB+ reports of Lindsay Lohan's rehab (1/ecbplus): the first calls "Newport
    # Beach" an organization, the second a place. A place the gazetteer does not know is
    # keyed as a name, so the two share it, and weighs as a place in the item that calls
    # it one (as a name it split the Waitrose fire above). On ECB+: dev A 21 more
    # same-story pairs, dev B 32, no pair lost or merged wrongly.
    rows, _ = _sample()
    first = item_from_row(next(r for r in rows if r["id"] == "ecb-1a7c14486c")).features
    second = item_from_row(_extra()[0]).features
    assert "E:N:newport beach" in first.names & second.names
    assert "E:N:newport beach" in second.places - first.places
    assert StoryFeatures.from_json(second.to_json()) == second
    # Keys stored before the change read as they are made now.
    stored = {**second.to_json(), "places": []}
    stored["names"] = ["P:N:" + k[4:] if k in second.places else k for k in stored["names"]]
    assert StoryFeatures.from_json(stored) == second
    index = StoryIndex()
    index.remember("lohan", first)
    weights = index._weights(second)
    assert weights["E:N:newport beach"] == index._weight("E:N:newport beach") / 3
    # A gazetteer place stays a place key.
    turkmenistan = Entity(text="Turkmenistan", type="place", count=2)
    assert "P:C:TM" in story_features(None, [], [turkmenistan], "en").names


def test_reports_sharing_two_figures_need_fewer_words_in_common() -> None:
    # "Colts Clinch Playoff Berth With 31-24 Victory Against Jaguars" and "Colts clinch
    # playoff spot by beating Jags" share the score and little else (cosine under the 0.35
    # bar); two reports of the Colts beating the Chiefs 20-13 four years later likewise.
    # Two shared figures, not years, lower the bar to 0.2 (ECB+ dev A recall 0.554 ->
    # 0.577 at equal precision, dev B 0.537 -> 0.574): each game is one story, the two
    # games stay two.
    rows = _extra()[1:]
    predicted = group([item_from_row(r) for r in rows])
    stories = {r["story"]: {predicted[x["id"]] for x in rows if x["story"] == r["story"]}
               for r in rows}  # fmt: skip
    assert len(stories["29/ecb"]) == 1 and len(stories["29/ecbplus"]) == 1
    assert stories["29/ecb"] != stories["29/ecbplus"]
    off = group([item_from_row(r) for r in rows], GroupingParams(figures_shared=99))
    assert len(set(off.values())) == 4  # without it, four stories


def test_reports_whose_title_and_lead_agree_are_one_story() -> None:
    # Two ECB+ reports of Lindsay Lohan checking into the Betty Ford Center (2013): one is
    # a title and a line, the other a paragraph about her lawyer, so their keys as a whole
    # fall under the bar; their titles and leads ("Lindsay Lohan checks into rehab at
    # Betty Ford Center", "Lohan Checks into Betty Ford, Rehires Attorney") have a cosine
    # over 0.5, the reference baseline's bar (ECB+ dev A recall 0.579 -> 0.585 at equal
    # precision, dev B 0.581 -> 0.607). Tara Reid's rehab, five years earlier, whose lead
    # names Lohan too, stays apart.
    text = (DATA / "stories" / "ecb_headlines.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines()]
    items = [item_from_row(r) for r in rows]
    lohan, other, reid = (r["id"] for r in rows)
    predicted = group(items)
    assert predicted[lohan] == predicted[other] != predicted[reid]
    off = group(items, GroupingParams(headline_threshold=2.0))
    assert off[lohan] != off[other]
    features = items[0].features
    assert "w:en:ford" in features.headline  # the title's and lead's words,
    assert features.headline < features.words  # ... among the item's words
    assert StoryFeatures.from_json(features.to_json()) == features  # kept for a restart


def test_reports_sharing_the_figures_of_their_openings_are_one_story() -> None:
    # ECB+ topic 16: eleven reports of the killing of Los Angeles County deputy Jerry
    # Ortiz (June 2005) and of his killer's trial, and two of a gang's arrest for another
    # deputy's murder (2008). Their summaries pick different sentences, but their openings
    # give the same figures: the deputy's age (35), the day (24 June 2005), the killer's
    # age. With the figures of each report's first 5,000 characters (not only of its
    # title and summary), most reports of the killing are one story (ECB+ dev A recall
    # 0.585 -> 0.648, dev B 0.607 -> 0.697, precision 0.945 -> 0.952, 0.966 -> 0.969);
    # the other killing stays apart.
    text = (DATA / "stories" / "ecb_openings.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines()]
    items = [item_from_row(r) for r in rows]
    gold = {r["id"]: r["story"] for r in rows}

    def stories(grouped: dict[str, str]) -> tuple[int, bool]:
        sizes: dict[str, int] = defaultdict(int)
        for item, story in grouped.items():
            sizes[story] += gold[item] == "16/ecbplus"
        mixed = any(len({gold[i] for i, s in grouped.items() if s == story}) > 1
                    for story in sizes)  # fmt: skip
        return max(sizes.values()), mixed

    largest, mixed = stories(group(items))
    assert largest >= 7 and not mixed
    # The same reports with the figures of their titles and summaries only: apart.
    summaries = [analyse(Article(title=r["title"], body=r["text"])) for r in rows]
    short = [replace(item, features=replace(item.features, numbers=story_features(
        s.title, s.summary, s.entities, s.language).numbers))
        for item, s in zip(items, summaries, strict=True)]  # fmt: skip
    assert stories(group(short))[0] <= 3


def test_a_time_of_day_is_no_figure() -> None:
    # A page's time stamp ("15:02 EST", "10: 53 AM") is shared by chance: it gave a Daily
    # Mail report of Gaza's tunnels and a CNN report of Fatah's members fleeing Gaza two
    # "figures" in common (15, 25) and put them in one story among 1,299 CNN/DM articles.
    body = (
        "By . Daily Mail Reporter . PUBLISHED: . 15:02 EST, 27 February 2014 . | . "
        "UPDATED: . 06:25 EST, 28 February 2014 . WEDNESDAY, MARCH 4, 2009, 10: 53 AM "
        "More than 1,000 tunnels were destroyed, 35 of them last week, at 9 p.m."
    )
    numbers = story_features("Tunnels", [], [], "en", body).numbers
    assert {"#27", "#28", "#2014", "#2009", "#1.000", "#35"} <= numbers
    assert not numbers & {"#15", "#02", "#06", "#25", "#10", "#53"}
