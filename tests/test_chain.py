"""The answer chain: retrieval, context selection, citations, abstention, errors.

Fast tests use LangChain's fake chat models over the real seed index; the
real-model tests (marked slow) are in tests/test_answer_models.py.
"""

from __future__ import annotations

import pytest

from app.answer.citations import is_refusal, parse_citations, says_nothing
from app.core.errors import InputError, LLMUnavailableError
from app.core.safety import PLACEHOLDER
from app.retrieval.question_kinds import is_open_ended
from app.answer.state import AnswerState
from app.service import Service
from app.core.text import split_sentences
from support.models import scripted

TROPICAL = "How is tropical geometry used to study neural networks?"


def chain_with(seed_index, *replies: str, **kwargs):
    """The real chain over the seed index, with a fake model that gives ``replies`` in order."""
    llm = scripted(*replies) if replies else None
    return Service(seed_index.settings, store=seed_index.store).answer_chain(llm=llm, **kwargs)


# ------------------------------------------------------------------ parsing


def test_citation_markers_are_attached_to_their_sentence():
    sentences, cited = parse_citations("Tropical maps describe ReLU nets [2]. They use max-plus algebra [1][2].", {1, 2})
    assert [s.citations for s in sentences] == [[2], [1, 2]]
    assert cited == [2, 1]


def test_citation_numbers_without_a_source_are_dropped():
    sentences, cited = parse_citations("A claim [1]. Another claim [7].", {1, 2})
    assert [s.citations for s in sentences] == [[1], []]
    assert cited == [1]


def test_a_marker_after_the_full_stop_belongs_to_the_sentence_before():
    sentences, _ = parse_citations("First claim. [1] Second claim [2].", {1, 2})
    assert [(s.text, s.citations) for s in sentences] == [("First claim.", [1]), ("Second claim.", [2])]


def test_the_stand_in_for_a_removed_instruction_is_no_sentence_of_the_answer():
    sentences, _ = parse_citations(f"A claim [1]. {PLACEHOLDER} [1] Another claim {PLACEHOLDER} here [2].", {1, 2})
    assert [s.text for s in sentences] == ["A claim.", "Another claim here."]


def test_comma_separated_markers_are_read():
    sentences, _ = parse_citations("Both talks agree [1, 2].", {1, 2})
    assert sentences[0].citations == [1, 2]


@pytest.mark.parametrize(
    ("text", "reads"),
    [
        ("[1] studies pruning, while [2] considers sharpness.", "This talk studies pruning, while the other talk considers sharpness."),
        ("Both study bounds, but [2] uses PAC-Bayes.", "Both study bounds, but this talk uses PAC-Bayes."),
        ("Bounds are given in [1], [2] and [3].", "Bounds are given in these talks."),
        ("This is discussed in [1] and in [2].", "This is discussed in this talk and in another talk."),
        ("[1] proves it, as shown in [3].", "This talk proves it, as shown in another talk."),
    ],
)
def test_a_marker_used_as_a_noun_becomes_words(text, reads):
    sentences, _ = parse_citations(text, {1, 2, 3})
    assert sentences[0].text == reads


def test_a_marker_standing_for_a_person_is_not_made_a_talk():
    """"was given by [1]" where the record holds no speaker must not read "was given by this talk": the sentence ends on
    "by", and says-nothing drops it."""
    sentences, _ = parse_citations("The talk on chain-of-thought was given by [1].", {1})
    assert sentences[0].text == "The talk on chain-of-thought was given by." and sentences[0].citations == [1]
    assert says_nothing(sentences[0].text, "Who gave the talk on chain-of-thought?", "")


def test_a_marker_before_a_capitalised_sentence_is_only_a_citation():
    sentences, _ = parse_citations("[1] The optimiser approximates the Fisher information.", {1})
    assert (sentences[0].text, sentences[0].citations) == ("The optimiser approximates the Fisher information.", [1])


def test_markers_in_a_list_leave_no_double_space():
    sentences, _ = parse_citations("Pruning [1] and sharpness [2] differ.", {1, 2})
    assert sentences[0].text == "Pruning and sharpness differ."


def test_refusals_are_recognised():
    assert is_refusal("The talks in this collection don't cover this.")
    assert not is_refusal("The talk covers tropical geometry [1].")


def test_abbreviations_do_not_end_a_sentence():
    text = "He was advised by Prof. David Donoho. We use e.g. Adam here. Smith et al. (2020) showed it (cf. Fig. 2). Next."
    assert split_sentences(text) == [
        "He was advised by Prof. David Donoho.",
        "We use e.g. Adam here.",
        "Smith et al. (2020) showed it (cf. Fig. 2).",
        "Next.",
    ]


def test_dotted_initials_and_degrees_do_not_end_a_sentence():
    text = "She was a C.V. Starr Fellow. He holds a Ph.D. (summa cum laude) from Ben Gurion University. Next."
    assert split_sentences(text) == ["She was a C.V. Starr Fellow.", "He holds a Ph.D. (summa cum laude) from Ben Gurion University.", "Next."]


SOURCES_READ = "Tropical geometry of neural networks. Max-plus algebra describes ReLU decision boundaries. Code: github.com/x/y"


@pytest.mark.parametrize(
    ("sentence", "question"),
    [
        ("There was a talk on quantum machine learning [1].", "Was there a talk on quantum machine learning?"),
        ("The GitHub link is [1].", "Where is the code of the tropical geometry talk?"),
        ("The speaker who presented tropical geometry is [1].", "Who presented tropical geometry?"),
        ("The references are and [2][3].", "Which references does the tropical talk give?"),
        ("Its papers appeared at the following venues: [1].", "Which venues did the tropical talk's papers appear at?"),
        ("[14:07] [1]", "Where is the code of the tropical geometry talk?"),  # a time stamp left by a cut sentence
    ],
)
def test_a_restated_question_or_an_empty_slot_says_nothing(sentence, question):
    assert says_nothing(sentence, question, SOURCES_READ)


@pytest.mark.parametrize(
    ("sentence", "question"),
    [
        ("There was a talk on tropical geometry [1].", "Was there a talk on tropical geometry?"),  # the sources say so: a yes
        ("Max-plus algebra describes the decision boundaries [1].", "How does tropical geometry describe networks?"),
        ("It is based on arXiv:2105.00507 [1].", "Which arXiv preprint is it based on?"),  # a number is information
        ("2018 [1].", "In which year was the tropical geometry paper published?"),  # a bare number answers
        ("Early stopping is as effective as it is [1].", "Why does early stopping work?"),  # finished, not a slot
        ("- Max-plus networks: it rests on the following two works: [1].", "Which talks use max-plus algebra?"),  # a list line
    ],
)
def test_a_sentence_with_something_new_or_backed_by_the_sources_says_something(sentence, question):
    assert not says_nothing(sentence, question, SOURCES_READ)


def test_which_talks_questions_are_open_ended():
    assert is_open_ended("Which talks discuss the neural tangent kernel?")
    assert not is_open_ended("What does the tropical geometry talk show?")


# ------------------------------------------------------------------ retrieval and context


def test_the_talk_that_answers_is_retrieved_first(seed_index):
    chain = chain_with(seed_index)
    top = chain.retriever.invoke(TROPICAL)[0]
    assert top.metadata["talk_id"] == _talk_at(seed_index, 17).id


def test_open_ended_questions_get_more_than_the_top_k(seed_index):
    chain = chain_with(seed_index)
    assert len(chain.retriever.invoke("Which talks discuss the neural tangent kernel?")) > seed_index.settings.retrieval.k


def test_context_is_numbered_passages_within_the_token_budget(seed_index):
    chain = chain_with(seed_index, "Unused [1].")
    sources = chain.prepare().invoke(AnswerState.start(TROPICAL)).sources
    assert [s.n for s in sources] == list(range(1, len(sources) + 1))
    passage_tokens = sum(len(chain.enc.encode(s.snippet)) + len(chain.enc.encode(s.talk.title)) for s in sources)
    # Every talk gets its best sentence even past the budget; the rest must fit.
    longest_first = sum(max(len(chain.enc.encode(x)) for x in s.sentences) for s in sources)
    assert passage_tokens <= seed_index.settings.retrieval.context_tokens + longest_first


def test_widening_and_record_notes_make_new_sources_and_leave_the_selected_ones_as_they_were(seed_index):
    chain = chain_with(seed_index)
    question = "Where did the speaker of the tropical geometry talk get his doctorate?"
    selected = chain.select_context(chain.retrieve(AnswerState.start(question).with_query(question), None))
    before = [list(s.sentences) for s in selected.sources]
    final = chain.add_record(chain.widen(selected))
    assert [s.sentences for s in selected.sources] == before
    assert "Georgia" in " ".join(final.sources[0].sentences) and "Georgia" not in " ".join(before[0])


# ------------------------------------------------------------------ answers


def test_an_answer_cites_its_sources_and_gets_a_support_figure(seed_index):
    chain = chain_with(seed_index, "Tropical geometry combines algebraic and polyhedral geometry [1]. Unrelated claim [9].")
    answer = chain.invoke(TROPICAL)
    assert not answer.abstained
    assert answer.cited == [1]
    assert answer.sentences[0].support > 0.5
    assert answer.sentences[1].citations == [] and answer.sentences[1].support == 0.0


def test_a_which_talks_answer_says_what_each_chosen_talk_contributes(seed_index):
    """The list prompt makes the model reply with numbers; each chosen talk is named with its most relevant sentence."""
    answer = chain_with(seed_index, "[1][2]").invoke("Which talks discuss tropical geometry?")
    count, *listed = answer.sentences
    assert answer.cited == [1, 2] and len(listed) == 2 and count.text.startswith("2 talks in the collection")
    for sentence, source in zip(listed, answer.sources):
        assert sentence.citations == [source.n] and sentence.supported
        assert source.lead in source.sentences and source.lead.rstrip(".")[:40] in sentence.text
    assert any("tropical" in s.text.lower() for s in listed)


def test_a_weakly_supported_sentence_scores_below_a_supported_one(seed_index):
    chain = chain_with(seed_index, "Tropical geometry combines algebraic and polyhedral geometry [1]. Compilers were rewritten for bridges [1].")
    supported, unsupported = (s.support for s in chain.invoke(TROPICAL).sentences)
    assert supported > unsupported


def test_an_honour_the_cited_talks_record_lacks_is_replaced_by_what_the_record_does_not_say(seed_index):
    chain = chain_with(seed_index, "Tropical geometry combines algebraic and polyhedral geometry [1]. The speaker won a Turing award in 1990 for compilers [1].")
    texts = [s.text for s in chain.invoke(TROPICAL).sentences]
    assert "The record of this talk does not say which honours the speaker received." in texts
    assert not any("Turing" in t for t in texts)


def test_the_query_and_sources_are_ready_before_the_first_token(seed_index):
    llm = scripted("Tropical maps [1].")
    stream = Service(seed_index.settings, store=seed_index.store).answer_chain(llm=llm).ask(TROPICAL)
    assert stream.query == TROPICAL and stream.sources
    assert llm.prompts == []  # nothing generated yet
    assert "".join(stream) == "Tropical maps [1]."
    assert stream.result().answer.startswith("Tropical maps")


def test_a_stream_read_again_replays_its_tokens_without_the_model(seed_index):
    llm = scripted("Tropical maps describe ReLU networks [1].")
    stream = Service(seed_index.settings, store=seed_index.store).answer_chain(llm=llm).ask(TROPICAL)
    first = list(stream)
    assert list(stream) == first and "".join(first) == "Tropical maps describe ReLU networks [1]."
    assert stream.result() is stream.result() and len(llm.prompts) == 1


def test_a_second_reader_gets_the_tokens_already_written_then_the_rest(seed_index):
    stream = chain_with(seed_index, "Tropical maps describe ReLU networks [1].").ask(TROPICAL)
    reader = iter(stream)
    started = [next(reader), next(reader)]
    assert "".join(stream) == "Tropical maps describe ReLU networks [1]." and "".join(started) == "Tr"
    assert list(reader) == list(stream)[2:]


def test_a_refusal_from_the_model_is_an_abstention_with_no_citations(seed_index):
    chain = chain_with(seed_index, "The talks in this collection don't cover this [1].")
    answer = chain.invoke("What did the tropical geometry speaker say about protein folding?")
    assert answer.abstained and answer.to_json()["citations"] == []


def test_a_reply_that_only_restates_the_question_is_an_abstention(seed_index):
    chain = chain_with(seed_index, "The tropical geometry talk discusses protein folding with neural networks [1].")
    answer = chain.invoke("What did the tropical geometry talk on neural networks say about protein folding?")
    assert answer.abstained and answer.sentences == []
    assert answer.answer == "The talks in this collection don't cover this."


def test_empty_slots_are_left_out_and_the_record_gives_the_link(seed_index):
    chain = chain_with(seed_index, "The code of the talk is at [1]. The paper is [1].")
    answer = chain.invoke("Where is the code of the talk on the number of training samples ReLU networks need?")
    assert not answer.abstained
    assert [s.kind for s in answer.sentences] == ["record"]
    assert "https://github.com/juliusberner/theory2practice" in answer.answer


def test_a_follow_up_is_condensed_into_a_standalone_query(seed_index):
    chain = chain_with(seed_index, "How does tropical geometry relate to neural networks?", "It links them to tropical maps [1].")
    answer = chain.invoke("and what does it say about pruning?", history=[("user", TROPICAL), ("assistant", "Tropical maps [1].")])
    assert answer.query == "How does tropical geometry relate to neural networks?"


def test_a_list_question_is_searched_for_by_what_it_asks_not_by_who_asks():
    from app.answer.rewrite import searched_for

    question = "I work on margin theory at a telecom lab in Lund. Which talks study linearly separable data?"
    assert searched_for(question) == "Which talks study linearly separable data?"


def test_another_question_is_searched_for_with_its_context():
    from app.answer.rewrite import searched_for

    question = "I am writing about model collapse. One talk gave a history of this area. Which paper started it?"
    assert searched_for(question) == question


def test_a_chatty_list_question_shows_the_sentence_it_was_searched_for(seed_index):
    chain = chain_with(seed_index, "[1]")
    answer = chain.invoke("I teach a course on convex geometry in Lund. Which talks discuss tropical geometry?")
    assert answer.query == "Which talks discuss tropical geometry?"


def test_a_rewrite_that_asserts_a_fact_the_conversation_lacks_is_not_searched_for(seed_index):
    """The condensing model answered instead of rewriting: its guess is neither the query nor shown."""
    chain = chain_with(seed_index, "The speaker did her PhD at the University of California, Berkeley.", "Not covered [1].")
    follow_up = "Where did she do her PhD?"
    answer = chain.invoke(follow_up, history=[("user", TROPICAL), ("assistant", "Tropical maps describe ReLU networks [1].")])
    assert answer.query == follow_up


def test_a_rewrite_naming_something_new_is_not_searched_for(seed_index):
    chain = chain_with(seed_index, "Did she do her PhD at UC Berkeley?", "Not covered [1].")
    answer = chain.invoke("Where did she do her PhD?", history=[("user", TROPICAL), ("assistant", "Tropical maps [1].")])
    assert answer.query == "Where did she do her PhD?"


def test_the_draft_shows_a_list_of_markers_as_the_talks_it_names(seed_index):
    from app.answer.draft import draft

    sources = chain_with(seed_index, "x").ask("Which talks discuss neural networks?").sources
    shown = [draft("[1][2][3][4][5"[:end], sources) for end in range(1, 15)]
    assert all("[1][2]" not in d and not d.rstrip().endswith("[") for d in shown), shown
    assert shown[-1].splitlines() == [f"- {sources[i].talk.title.rstrip(' …').rstrip('.')}"
                                      + (f" ({sources[i].talk.speaker})" if sources[i].talk.speaker else "") + f" [{i + 1}]"
                                      for i in range(4)]
    assert all(later.startswith(earlier) for earlier, later in zip(shown, shown[1:])), "the draft only grows"


def test_the_draft_keeps_a_marker_after_its_sentence_and_holds_back_one_being_written(seed_index):
    from app.answer.draft import draft

    sources = chain_with(seed_index, "x").ask(TROPICAL).sources
    assert draft("Max-plus algebra [1][2]. It also [", sources) == "Max-plus algebra [1][2]. It also "
    assert draft("It uses [1, 2", sources) == "It uses "


def test_without_history_the_question_is_used_as_is(seed_index):
    chain = chain_with(seed_index, "Answer [1].")
    assert chain.invoke(TROPICAL).query == TROPICAL


def test_the_json_answer_has_the_documented_shape(seed_index):
    payload = chain_with(seed_index, "ReLU networks are tropical rational maps [1].").invoke(TROPICAL).to_json()
    assert set(payload) == {"question", "query", "answer", "abstained", "absent_terms", "citations", "sentences", "preview", "timings", "warnings"}
    assert set(payload["citations"][0]) == {"n", "talk_id", "title", "speaker", "lines", "links", "snippet"}
    assert set(payload["sentences"][0]) == {"text", "citations", "model_citations", "support", "supported"}
    assert set(payload["preview"]) == {"quotes", "abstention"}
    assert set(payload["preview"]["quotes"][0]) == {"n", "text"}
    assert set(payload["timings"]) == {"retrieve_ms", "preview_ms", "first_token_ms", "checks_ms", "total_ms"}


# ------------------------------------------------------------------ bad input and failures


@pytest.mark.parametrize("question", ["", "   \n "])
def test_an_empty_question_is_refused(seed_index, question):
    with pytest.raises(InputError, match="empty"):
        chain_with(seed_index, "x").invoke(question)


def test_a_question_over_the_token_budget_is_refused(seed_index):
    with pytest.raises(InputError, match="the question is too long: [0-9,]+ characters"):
        chain_with(seed_index, "x").invoke("neural " * 1000)


def test_an_unreachable_model_raises_llm_unavailable(seed_index):
    chain = chain_with(seed_index, "x")
    chain.llm = scripted(fail=True)
    with pytest.raises(LLMUnavailableError, match="unreachable"):
        chain.invoke(TROPICAL)


# ------------------------------------------------------------------ CLI


def test_ask_no_llm_prints_the_top_talks_as_json(run_cli, seed_index):
    result = run_cli("ask", "--no-llm", "--json", TROPICAL, data_dir=seed_index.settings.data_dir)
    assert result.exit_code == 0, result.stderr
    import json

    payload = json.loads(result.stdout)
    assert payload["citations"][0]["lines"] == [[17, 19]]


def test_search_json_has_the_documented_shape(run_cli, seed_index):
    import json

    result = run_cli("search", "--json", "--k", "3", "graph positional encodings", data_dir=seed_index.settings.data_dir)
    payload = json.loads(result.stdout)
    assert set(payload) == {"query", "results"} and len(payload["results"]) <= 3
    assert set(payload["results"][0]) == {"talk_id", "title", "lines", "score", "snippet"}


def test_ask_with_an_unreachable_endpoint_exits_4_with_one_line(run_cli, seed_index):
    env = {"TALKQA_LLM__BASE_URL": "http://127.0.0.1:9/v1", "TALKQA_LLM__TIMEOUT_S": "5"}
    result = run_cli("ask", TROPICAL, data_dir=seed_index.settings.data_dir, env=env)
    assert result.exit_code == 4
    assert result.stderr.startswith("error: the LLM endpoint is unreachable") and "Traceback" not in result.stderr


def test_ask_with_fallback_gives_the_retrieval_answer_when_the_llm_is_down(run_cli, seed_index):
    env = {"TALKQA_LLM__BASE_URL": "http://127.0.0.1:9/v1", "TALKQA_LLM__TIMEOUT_S": "5"}
    result = run_cli("ask", "--fallback", TROPICAL, data_dir=seed_index.settings.data_dir, env=env)
    assert result.exit_code == 0 and "Tropical geometry" in result.stdout


def test_a_one_off_ask_loads_the_embedded_model_while_it_reads_the_index(run_cli, seed_index, monkeypatch):
    """Loading the weights takes seconds; a new `talkqa ask` process does it beside retrieval, not after."""
    import json
    import threading

    import app.models.llm

    loaded_by: list[str] = []
    model = scripted("Tropical geometry describes the decision boundaries of ReLU networks [1].")
    lock = threading.Lock()

    def load_once(settings):  # like the real loader: one copy per process, later callers get it
        with lock:
            if not loaded_by:
                loaded_by.append(threading.current_thread().name)
        return model

    monkeypatch.setattr(app.models.llm.LOCAL_MODELS, "get", load_once)
    result = run_cli("ask", "--json", "--backend", "local", TROPICAL, data_dir=seed_index.settings.data_dir)
    assert result.exit_code == 0 and json.loads(result.stdout)["citations"]
    assert loaded_by == ["talkqa-load-llm"]


def test_ask_an_empty_question_exits_2(run_cli, seed_index):
    result = run_cli("ask", " ", data_dir=seed_index.settings.data_dir)
    assert result.exit_code == 2 and result.stderr.strip() == "error: the question is empty: type a question about the talks"


def test_ask_without_an_index_exits_3(run_cli, tmp_path):
    result = run_cli("ask", TROPICAL, data_dir=tmp_path / "empty")
    assert result.exit_code == 3 and "talkqa ingest" in result.stderr


def _talk_at(seed_index, line: int):
    catalog = seed_index.store.catalog()
    return next(t for t in catalog.talks if any(s <= line <= e for s, e in t.lines))


def test_a_speaker_question_is_answered_from_the_talk_record(seed_index):
    chain = chain_with(seed_index, "Tropical geometry is used to study neural networks [1].")
    answer = chain.invoke("Who gave the talk on tropical geometry and neural networks?")
    record = [s for s in answer.sentences if s.kind == "record"]
    assert record and "Petros Maragos" in record[0].text and record[0].supported
    assert "Petros Maragos" in answer.answer and record[0].citations == [answer.sources[0].n]


def test_the_notes_of_the_talk_join_its_source_when_the_question_is_about_the_speaker(seed_index):
    llm = scripted("He got his Ph.D. from Georgia Tech [1].")
    Service(seed_index.settings, store=seed_index.store).answer_chain(llm=llm).invoke(
        "Where did the speaker of the tropical geometry talk get his doctorate?")
    assert "Georgia" in llm.prompts[0], "the biography is in what the model read"


def test_a_partial_answer_says_what_the_talk_gives_and_what_it_does_not(seed_index):
    chain = chain_with(seed_index, "The talk studies neural networks with tropical geometry [1]. "
                                   "The abstract does not give the number of layers used.")
    answer = chain.invoke("How many layers did the tropical geometry networks have?")
    assert not answer.abstained
    absence = [s for s in answer.sentences if s.kind == "absence"]
    assert absence and absence[0].supported and absence[0].citations
    assert answer.sentences[0].citations


# ------------------------------------------------------------------ follow-ups that refer back


def earlier_list(seed_index) -> tuple:
    """A conversation whose answer cited two talks (the second retrieved one first), and those talks."""
    from app.answer.turns import Turn

    sources = chain_with(seed_index).ask("Which talks discuss neural networks?").sources
    first, second = sources[1].talk, sources[0].talk
    return [Turn.user("Which talks discuss neural networks?"), Turn("assistant", "Two talks.", (first.id, second.id))], first, second


def test_the_first_one_is_the_first_talk_the_previous_answer_cited(seed_index):
    history, first, _ = earlier_list(seed_index)
    chain = chain_with(seed_index, "A rewrite the chain must not use?", "Answer [1].")
    answer = chain.invoke("Who gave the first one, and where did they do their PhD?", history)
    assert answer.sources[0].talk.id == first.id
    assert answer.query == f"Who gave the first one, and where did they do their PhD? (about: {first.title})"


def test_both_pins_every_talk_the_previous_answer_cited_in_its_order(seed_index):
    history, first, second = earlier_list(seed_index)
    answer = chain_with(seed_index, "Answer [1].").invoke("Do both of them use kernels?", history)
    assert [s.talk.id for s in answer.sources[:2]] == [first.id, second.id]


def test_a_follow_up_about_a_cited_talk_is_answered_even_when_its_words_match_nothing(seed_index):
    history, first, _ = earlier_list(seed_index)
    # A reply its talk supports: one no source supports would be withheld after generation (app/answer/unsupported.py).
    reply = f"{first.abstract.split('. ')[0].rstrip('.')} [1]."
    answer = chain_with(seed_index, reply).invoke("Where did she grow up, and what is her hobby?", history)
    assert not answer.abstained and answer.sources[0].talk.id == first.id


def test_the_one_about_a_subject_its_words_miss_is_found_by_searching_for_it(seed_index):
    from app.answer.turns import Turn

    tropical = chain_with(seed_index).ask(TROPICAL).sources[0].talk
    other = chain_with(seed_index).ask("Which talks discuss Langevin sampling?").sources[0].talk
    history = [Turn.user("Which talks discuss networks?"), Turn("assistant", "Two talks.", (other.id, tropical.id))]
    chain = chain_with(seed_index, "Who gave the talk on sampling?", "Answer [1].")  # a rewrite that loses the reference
    answer = chain.invoke("Of those, take the one on min-plus semifields: who gave it?", history)
    assert answer.sources[0].talk.id == tropical.id


def test_a_follow_up_without_a_reference_is_still_condensed(seed_index):
    history, _, _ = earlier_list(seed_index)
    condensed = "Which talks discuss tropical geometry?"
    answer = chain_with(seed_index, condensed, "Answer [1].").invoke("And tropical geometry?", history)
    assert answer.query == condensed


def test_a_comparison_of_two_talks_asks_for_one_sentence_per_labelled_talk(seed_index):
    chain = chain_with(seed_index, "A [1]. B [2]. They differ [1][2].")
    answer = chain.invoke("Compare the two tropical geometry approaches: how do they differ?")
    first, second = (s.talk.title for s in answer.sources[:2])
    assert f'source [1] ("{first}")' in chain.llm.prompts[-1] and f'source [2] ("{second}")' in chain.llm.prompts[-1]
