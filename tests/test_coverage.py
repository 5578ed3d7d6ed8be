"""The review is covered: every sentence is modelled (an assertion quotes it) or listed in
data/not-modelled.tsv with a reason, every reference number is cited or listed, and no entity
stands without a relation unless a curator note says why. The checkers are tested on broken
input too, so that each of them can fail."""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pytest

import igegraph

DATA = Path(__file__).parent.parent / "data"
REVIEW = DATA / "review.txt"
NOT_MODELLED = DATA / "not-modelled.tsv"
COLUMNS = ["section", "sentence", "reason", "note"]
REASONS = re.compile(r"^(opinion|background|out-of-scope|already-covered-by ig:[A-Za-z0-9_]+)$")


def key(text: str) -> str:
    """Letters and digits only, lower case: quotes and sentences match across line breaks,
    hyphenation ('aller-\\ngic') and the review's spacing ('FcεR I', 'Bsc-IgE/ CD3')."""
    text = unicodedata.normalize("NFKC", text).replace("ɛ", "ε").lower()
    return "".join(c for c in text if c.isalnum())


def sentences(text: str) -> list[str]:
    """The review's sentences. Table 1 is left out (data/table1.ttl models it cell by cell);
    the Fig. 1 legend, which interrupts a sentence in the text, is split off on its own."""
    start = text.index(" Table 1 Therapies")
    legend_start = text.index("Fig. 1 Scheme")
    legend_end = text.index("controlling IgE generation") + len("controlling IgE generation")
    text = text[:start] + " " + text[legend_end:] + "\n" + text[legend_start:legend_end] + "."
    flat = re.sub(r"\s+", " ", text.replace("-\n", "-"))
    parts = re.split(r"(?<=[.?!])\s+(?=[A-Z(])", flat)
    return [p.strip() for p in parts if p.strip()]


def ref_numbers(text: str) -> set[int]:
    """Reference numbers cited in text: [6], [20, 21], [24–27]."""
    found: set[int] = set()
    for group in re.findall(r"\[([\d,\s–-]+)\]", text):
        for part in group.split(","):
            bounds = [int(n) for n in re.findall(r"\d+", part)]
            if len(bounds) == 2:
                found |= set(range(bounds[0], bounds[1] + 1))
            elif bounds:
                found.add(bounds[0])
    return found


def read_not_modelled(path: Path) -> list[dict[str, str]]:
    """Rows of not-modelled.tsv; raises ValueError on a wrong header, a missing field or an unknown reason."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter="\t")
        header = next(reader)
        if header != COLUMNS:
            raise ValueError(f"{path.name}: header must be {COLUMNS}, got {header}")
        rows = []
        for line, fields in enumerate(reader, start=2):
            if len(fields) != len(COLUMNS) or not all(fields[:3]):
                raise ValueError(f"{path.name}:{line}: needs section, sentence, reason (and a note column)")
            row = dict(zip(COLUMNS, fields))
            if not REASONS.match(row["reason"]):
                raise ValueError(f"{path.name}:{line}: unknown reason {row['reason']!r}")
            rows.append(row)
    return rows


def uncovered(sents: list[str], quotes: list[str], rows: list[dict[str, str]]) -> list[str]:
    """Sentences that no quote comes from and no not-modelled row lists."""
    quote_keys = [k for k in map(key, quotes) if k]
    row_keys = [key(r["sentence"]) for r in rows]
    return [s for s, skey in zip(sents, map(key, sents))
            if not any(q in skey for q in quote_keys) and not any(r in skey for r in row_keys)]


def stale_rows(sents: list[str], rows: list[dict[str, str]]) -> list[str]:
    """not-modelled rows that match no sentence of the review (typos, edited text)."""
    sentence_keys = [key(s) for s in sents]
    return [r["sentence"] for r in rows if not any(key(r["sentence"]) in s for s in sentence_keys)]


def unaccounted_references(text: str, cited: set[int], sents: list[str], rows: list[dict[str, str]]) -> set[int]:
    """Reference numbers the review uses that no fact cites and no listed sentence carries."""
    row_keys = [key(r["sentence"]) for r in rows]
    listed = {n for s in sents if any(r in key(s) for r in row_keys) for n in ref_numbers(s)}
    return ref_numbers(text) - cited - listed


def cited_references(kg) -> set[int]:
    rows = kg.query("SELECT DISTINCT ?n WHERE { ?x ige:reference ?r . ?r ige:referenceNumber ?n . "
                    "FILTER NOT EXISTS { ?x a ige:Reference } }").records()
    return {int(r["n"]) for r in rows}


def quotes(kg) -> list[str]:
    return [r["q"] for r in kg.query("SELECT ?q WHERE { ?a ige:evidenceQuote ?q }").records()]


# An entity is related when it is linked to another entity, or is the context of an assertion;
# rdf:subject/rdf:object do not count (the claim's own triple already does).
ISOLATED = """
SELECT ?e WHERE {
  ?e a ?class . ?class rdfs:subClassOf* ige:Entity .
  FILTER NOT EXISTS {
    { ?e ?p ?x } UNION { ?x ?p ?e }
    FILTER (isIRI(?x) && ?x != ?e && ?p NOT IN (rdf:type, ige:reference, rdf:subject, rdf:object))
    ?x a ?other .
    FILTER (?other = ige:Assertion || EXISTS { ?other rdfs:subClassOf* ige:Entity })
  }
  FILTER NOT EXISTS { ?e ige:curatorNote ?note FILTER (STRSTARTS(?note, "No relation")) }
}
"""


def isolated(kg) -> set[str]:
    """Entities with no relation to another entity and no curator note starting 'No relation'."""
    return {r["e"] for r in kg.query(ISOLATED).records()}


# ---------------------------------------------------------------- the shipped review and data


@pytest.fixture(scope="module")
def review() -> str:
    return REVIEW.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return read_not_modelled(NOT_MODELLED)


def test_review_split(review):
    sents = sentences(review)
    assert len(sents) == 145
    assert sents[-4] == "Fig. 1 Scheme of anti-IgE therapy strategies for IgE-mediated allergic diseases."
    assert sents[-1].endswith("controlling IgE generation.")
    assert "The pilot study indicates that IgEnio may be used to treat pollen-induce allergic asthma [28]." in sents
    assert not any("Ligelizumab Monoclonal antibody Target" in s for s in sents)  # Table 1 left out
    assert ref_numbers(review) == set(range(1, 73))


def test_quotes_are_verbatim(kg, review):
    text = key(review)
    assert [q for q in quotes(kg) if key(q) not in text] == []


def test_every_sentence_modelled_or_listed(kg, review, rows):
    assert uncovered(sentences(review), quotes(kg), rows) == []


def test_no_stale_not_modelled_row(review, rows):
    assert stale_rows(sentences(review), rows) == []


def test_not_modelled_targets_exist(kg, rows):
    from rdflib import URIRef

    from igegraph.vocab import PREFIXES

    targets = {r["reason"].split()[1] for r in rows if r["reason"].startswith("already-covered-by")}
    # each is the subject of a triple (ASK { target ?p ?o }), looked up in the graph at once
    iris = {t: URIRef(PREFIXES[t.split(":", 1)[0]] + t.split(":", 1)[1]) for t in targets}
    missing = {t for t, iri in iris.items() if (iri, None, None) not in kg.graph}
    assert targets and missing == set()


def test_every_reference_cited_or_listed(kg, review, rows):
    assert unaccounted_references(review, cited_references(kg), sentences(review), rows) == set()


def test_reference_71_is_only_listed(kg, review, rows):
    # [71] (an outlook on cellular treatments) is the one number no fact cites
    assert set(range(1, 73)) - cited_references(kg) == {71}


def test_no_isolated_entity(kg):
    assert isolated(kg) == set()


# ---------------------------------------------------------------- the checkers can fail

TOY_REVIEW = """Title line
The first sentence states a fact [1]. An opinion follows here.
 Table 1 Therapies to treat
Drug  Type  Mechanism
Fig. 1 Scheme of a toy figure. Drugs act by controlling IgE generation
 A third sentence cites more [2, 3].
"""


def test_toy_split():
    assert sentences(TOY_REVIEW) == [
        "Title line The first sentence states a fact [1].", "An opinion follows here.",
        "A third sentence cites more [2, 3].", "Fig. 1 Scheme of a toy figure.",
        "Drugs act by controlling IgE generation.",
    ]


def test_checkers_report_gaps():
    sents = sentences(TOY_REVIEW)
    rows = [{"section": "toy", "sentence": "An opinion follows", "reason": "opinion", "note": ""},
            {"section": "toy", "sentence": "A sentence that is not there", "reason": "background", "note": ""}]
    quotes_ = ["first sentence states a fact"]
    assert uncovered(sents, quotes_, rows) == [
        "A third sentence cites more [2, 3].", "Fig. 1 Scheme of a toy figure.", "Drugs act by controlling IgE generation."]
    assert stale_rows(sents, rows) == ["A sentence that is not there"]
    assert unaccounted_references(TOY_REVIEW, {1}, sents, rows) == {2, 3}
    rows.append({"section": "toy", "sentence": "A third sentence", "reason": "opinion", "note": ""})
    assert unaccounted_references(TOY_REVIEW, {1}, sents, rows) == set()


@pytest.mark.parametrize(("content", "message"), [
    ("section\tsentence\n", r"header must be"),
    ("section\tsentence\treason\tnote\ntoy\t\topinion\t\n", r":2: needs section, sentence, reason"),
    ("section\tsentence\treason\tnote\ntoy\tA sentence\tguess\t\n", r":2: unknown reason 'guess'"),
    ("section\tsentence\treason\tnote\ntoy\tA sentence\talready-covered-by\t\n", r"unknown reason"),
])
def test_bad_not_modelled_file(tmp_path, content, message):
    path = tmp_path / "not-modelled.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        read_not_modelled(path)


ISLANDS = """@prefix ige: <https://w3id.org/igegraph/vocab#> .
@prefix ig: <https://w3id.org/igegraph/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ig:fixture_island a ige:Cell ; rdfs:label "fixture island" .
ig:fixture_noted_island a ige:Cell ; rdfs:label "fixture noted island" ;
    ige:curatorNote "No relation: the review names it only in passing." .
ig:fixture_cited_island a ige:Cell ; rdfs:label "fixture cited island" ; ige:reference ig:ref_5 .
"""


def test_isolated_entity_is_found(tmp_path):
    path = tmp_path / "islands.ttl"
    path.write_text(ISLANDS, encoding="utf-8")
    kg = igegraph.load(data=[path])
    # a reference is no relation; a 'No relation' curator note excuses the entity
    assert isolated(kg) == {"ig:fixture_island", "ig:fixture_cited_island"}
