"""A question naming something no talk contains is answered with that fact, not with a neighbouring talk.

app/retrieval/absent_terms.py reads the question's words against the live index's vocabulary
(``LexicalIndex.holds_word``) and an everyday-English lexicon (app/models/english_words.py);
the chain abstains naming the words, without calling the model.
"""

from __future__ import annotations

import shutil

import pytest
from langchain_core.documents import Document

from app.index.lexical import LexicalIndex
from app.models.english_words import EnglishWords
from app.retrieval.absent_terms import MIN_TALKS, absent_terms
from app.service import Service
from support.models import scripted

HELD = {"graph", "encoding", "positional", "optimizers", "mini", "batch", "shuffling", "lojasiewicz", "neural", "networks", "stable",
        "barycenters", "analyzed"}
EVERYDAY = {"honours", "carve", "stable", "neural", "networks", "positional", "authored", "which", "speaker", "versus"}


def absent(question: str) -> tuple[str, ...]:
    return absent_terms(question, HELD.__contains__, EVERYDAY.__contains__, talks=MIN_TALKS)


# ------------------------------------------------------------------ the words (pure)


def test_a_topic_word_no_talk_holds_is_absent():
    assert absent("Who co-authored the stable positional encoding for hypergraph neural networks?") == ("hypergraph",)


@pytest.mark.parametrize("word", ["optimisers", "encodings", "minibatch", "reshuffling", "łojasiewicz", "barycentres", "analysed"])
def test_a_word_a_talk_holds_in_another_form_is_not_absent(word):
    """-ise for -ize, a plural, two held words written together, a leading "re", an accent, British -tre and -yse."""
    assert absent(f"What does the talk on {word} show?") == ()


@pytest.mark.parametrize("question", ["Which honours did the speaker get, and what did they carve out?",
                                      "Is a repo of the RBMs talk out?", "See https://example.org/hypergraphs for it."])
def test_everyday_words_short_words_and_links_are_never_absent(question):
    assert absent(question) == ()


def test_a_question_in_another_language_has_no_absent_words():
    """Its words are German, not topics the talks lack; the usual retrieval and abstention decide."""
    assert absent("Welche Vorträge behandeln Positionskodierungen für Hypergraphen?") == ()


def test_a_small_collection_says_nothing_is_absent():
    """The words of a few dozen abstracts are too few to say a field's word is missing."""
    assert absent_terms("What does the hypergraph talk show?", HELD.__contains__, EVERYDAY.__contains__, talks=MIN_TALKS - 1) == ()


def test_each_absent_word_is_named_once_in_question_order():
    assert absent("Sinkhorn divergences versus Sinkhorn iterations on hypergraphs") == ("sinkhorn", "divergences", "iterations", "hypergraphs")
    assert absent("sinkhorn hypergraphs") == ()  # no English function word: too terse to read as English


#: Everyday words of the questions below about who asks.
ASKER_WORDS = {"talks", "someone", "there", "reading", "about", "which", "networks", "encoding", "positional"}


def test_a_sentence_about_the_one_asking_is_not_read_for_absent_words():
    assert absent_terms("Hypergraph fan here. Which talks use positional encoding?", HELD.__contains__,
                        ASKER_WORDS.__contains__, talks=MIN_TALKS) == ()


@pytest.mark.parametrize("question", ["Someone saw a talk on hypergraph networks. Is there a link?",
                                      "I keep reading about hypergraph networks. Was there a talk on that?"])
def test_a_sentence_before_the_question_that_speaks_of_a_talk_or_that_it_points_back_at_is_read(question):
    assert absent_terms(question, HELD.__contains__, ASKER_WORDS.__contains__, talks=MIN_TALKS) == ("hypergraph",)


# ------------------------------------------------------------------ everyday English (the shipped tokenizers)


@pytest.fixture(scope="module")
def english(tmp_path_factory) -> EnglishWords:
    return EnglishWords(tmp_path_factory.mktemp("tiktoken"))


@pytest.mark.parametrize("word", ["honours", "doctorate", "carve", "tweaks", "mentors", "stopping", "outperform", "mismatched"])
def test_everyday_words_are_known_as_english(english, word):
    assert english.is_everyday(word)


@pytest.mark.parametrize("word", ["imitate", "carves", "enlarges", "provably", "skilful"])
def test_a_word_english_knows_only_as_a_verb_adjective_or_adverb_is_everyday(english, word):
    assert english.is_everyday(word)


@pytest.mark.parametrize("word", ["clump", "nudge", "wobbles", "backfires"])
def test_a_noun_english_also_knows_as_a_verb_is_everyday(english, word):
    assert english.is_everyday(word)


@pytest.mark.parametrize("word", ["sheaf", "chinchilla", "hallucinations", "fractal"])
def test_a_rare_noun_is_not_everyday_english(english, word):
    assert not english.is_everyday(word)


@pytest.mark.parametrize("word", ["hypergraph", "sinkhorn", "neuromorphic", "adaboost", "knockoffs"])
def test_a_fields_terms_are_not_everyday_english(english, word):
    assert not english.is_everyday(word)


# ------------------------------------------------------------------ the live index and the chain (real index, fake model)


def test_the_words_of_the_talks_notes_are_held_and_kept_when_saved(tmp_path):
    """BM25 indexes the abstracts only; a bio's "Technion" is a word the talk holds all the same."""
    docs = [Document(id="c1", page_content="Sharpness-aware minimisation of neural networks.", metadata={"talk_id": "t1"})]
    index = LexicalIndex.build(docs, {"format": 0}, notes=["She received her PhD from the Technion."])
    index.save(tmp_path / "lexical")
    loaded = LexicalIndex.load(tmp_path / "lexical", {"format": 0})
    assert loaded.holds_word("technion") and loaded.holds_word("sharpness") and not loaded.holds_word("hypergraph")
    assert loaded.search("technion", 5) == []  # the notes are words the talk holds, not BM25 hits


def test_the_live_index_holds_its_words_in_any_form_and_a_query_adds_none(seed_index):
    lexical = Service(seed_index.settings, store=seed_index.store).retriever().lexical
    assert lexical.holds_word("tropical") and lexical.holds_word("tropically") and lexical.holds_word("deepmind")  # a bio's word
    lexical.search("hypergraph sheaves", 5)  # tokenising a query must not make its words the corpus's
    assert not lexical.holds_word("hypergraph")


def test_a_reader_that_rebuilds_the_lexical_index_holds_the_notes_words_too(seed_index, tmp_path):
    """A worker without the saved index rebuilds it; its words must be the writer's, bios included."""
    data = tmp_path / "data"
    shutil.copytree(seed_index.settings.data_dir, data, ignore=shutil.ignore_patterns("lexical"))
    settings = seed_index.settings.model_copy(update={"data_dir": data, "chroma_path": None})
    assert Service(settings).retriever().lexical.holds_word("deepmind")


def test_a_question_naming_what_no_talk_contains_says_so(seed_index):
    """The model is asked only to restate the question, and its restatement keeps the word (app/answer/restate.py)."""
    restatement = "Stable positional encodings for hypergraph neural networks: co-authors"
    chain = Service(seed_index.settings, store=seed_index.store).answer_chain(llm=scripted(restatement))
    answer = chain.invoke("Who co-authored the stable positional encodings for hypergraph neural networks?")
    assert len(chain.llm.prompts) == 1
    assert answer.abstained and answer.answer == "The talks in this collection don't mention “hypergraph”."
    assert answer.to_json()["absent_terms"] == ["hypergraph"] and answer.sources  # the closest talks are still shown


def test_a_question_in_the_corpus_words_is_answered(seed_index):
    chain = Service(seed_index.settings, store=seed_index.store).answer_chain(llm=scripted("ReLU networks are tropical rational maps [1]."))
    answer = chain.invoke("How is tropical geometry used to study neural networks?")
    assert not answer.abstained and answer.absent_terms == []


def test_a_list_question_is_left_to_the_list(seed_index):
    """"Which talks ...?" is answered from the records, which say what they found; no word is read as absent."""
    chain = Service(seed_index.settings, store=seed_index.store).answer_chain(llm=scripted("none [1]."))
    assert chain.invoke("Which talks discuss hypergraph neural networks?").absent_terms == []


def test_a_question_after_one_talk_naming_what_no_talk_contains_is_not_answered_by_a_list(seed_index):
    """"Which talk?" in the singular is no list: the talks that mention "Wasserstein" do not answer a Sinkhorn question."""
    chain = Service(seed_index.settings, store=seed_index.store).answer_chain(llm=scripted("Sinkhorn iterations for Wasserstein distances"))
    answer = chain.invoke("Sinkhorn iterations for fast Wasserstein estimates: which talk?")
    assert answer.abstained and answer.answer == "The talks in this collection don't mention “sinkhorn”."


def test_a_comparison_with_a_side_no_talk_mentions_says_so(seed_index):
    """One side no talk mentions leaves nothing to compare: the answer names it rather than describing the other side
    alone (blind held-out-35 fh033). The restatement keeps the word, so it stays absent."""
    restatement = "Benign overfitting of two-layer ReLU networks trained with hinge loss compared with grokking"
    chain = Service(seed_index.settings, store=seed_index.store).answer_chain(llm=scripted(restatement))
    answer = chain.invoke("How does the talk on benign overfitting of two-layer ReLU nets trained with hinge loss compare "
                          "with the one on grokking?")
    assert answer.abstained and answer.answer == "The talks in this collection don't mention “grokking”."


def test_a_comparison_of_two_talks_the_collection_holds_is_answered(seed_index):
    reply = "ReLU networks are tropical rational maps [1]. Two-layer ReLU networks trained with hinge loss overfit benignly [2]."
    chain = Service(seed_index.settings, store=seed_index.store).answer_chain(llm=scripted(reply))
    answer = chain.invoke("How does the tropical geometry talk compare with the talk on benign overfitting with hinge loss?")
    assert not answer.abstained and answer.absent_terms == []
