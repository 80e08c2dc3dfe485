"""The answer chain: question -> retrieve -> select context -> prompt -> LLM -> citations.

Read top to bottom in ``AnswerChain.prepare`` (an LCEL pipeline up to the
prompt) and ``AnswerChain.stream`` (the LLM's tokens, then citations).
The embedded model reads prompts at about 38 tokens a second on 2 cores, so
the context is not whole abstracts: each retrieved talk contributes its title
and its sentences most relevant to the question, numbered [1]..[n] (one
number a talk), within ``retrieval.context_tokens``.
"""

from __future__ import annotations

import copy
import re
import time
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Iterator

from langchain_core.embeddings import Embeddings
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from app.config import Settings
from app.answer.citations import MARKER, is_refusal, parse_citations
from app.answer.prompts import load_prompt
from app.errors import InputError, LLMUnavailableError
from app.answer.grounding import support_scores
from app.relevance import abstain_early, pick_sentences, sentence_orders, talk_sentences
from app.retrieval import TalkRetriever, is_open_ended
from app.talk import Catalog, Talk
from app.models.tokens import encoding

# ------------------------------------------------------------------ results


@dataclass
class Source:
    """One numbered passage given to the model: a talk and its selected sentences."""

    n: int
    talk: Talk
    sentences: list[str]
    score: float
    dense: float
    #: The question's relevance score from the cross-encoder (app/relevance.py); None without it.
    relevance: float | None = None

    @property
    def snippet(self) -> str:
        return " ".join(self.sentences)

    def citation(self) -> dict:
        return {
            "n": self.n,
            "talk_id": self.talk.id,
            "title": self.talk.title,
            "speaker": self.talk.speaker,
            "lines": [list(r) for r in self.talk.lines],
            "links": self.talk.links,
            "snippet": self.snippet,
        }


@dataclass
class Answer:
    question: str
    query: str
    answer: str = ""
    abstained: bool = False
    sources: list[Source] = field(default_factory=list)
    sentences: list[dict] = field(default_factory=list)
    cited: list[int] = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    prompt_tokens: int = 0

    @property
    def support(self) -> float:
        """Share-weighted support of the answer: mean support over its sentences (0 when abstained)."""
        if self.abstained or not self.sentences:
            return 0.0
        return round(sum(s["support"] for s in self.sentences) / len(self.sentences), 4)

    def to_json(self) -> dict:
        """The stable shape of ``talkqa ask --json``."""
        by_n = {s.n: s for s in self.sources}
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [by_n[n].citation() for n in self.cited if n in by_n],
            "sentences": self.sentences,
            "timings": self.timings,
        }


# ------------------------------------------------------------------ the chain


class AnswerChain:
    """Retrieval-augmented answering with cited talks (one per process; cheap to call)."""

    def __init__(self, settings: Settings, retriever: TalkRetriever, llm: BaseChatModel | None, embeddings: Embeddings):
        self.settings = settings
        self.retriever = retriever
        self.llm = llm
        self.embeddings = embeddings
        self.enc = encoding(settings.chunks.encoding, settings.cache_dir / "tiktoken")
        system = load_prompt("answer_system")
        self.prompt = ChatPromptTemplate.from_messages([("system", system), ("human", load_prompt("answer_user"))])
        #: "Which talks ...?": a list, one cited line per matching talk (same system prompt, so
        #: llama.cpp reuses its cached prefix).
        self.list_prompt = ChatPromptTemplate.from_messages([("system", system), ("human", load_prompt("answer_user_list"))])
        self.abstain_text = load_prompt("abstain")
        self.condense_prompt = PromptTemplate.from_template(load_prompt("condense"))

    @property
    def catalog(self) -> Catalog:
        return self.retriever.catalog

    def with_llm(self, llm: BaseChatModel | None) -> "AnswerChain":
        """The same chain (same retriever and index, loaded once) answering with ``llm``."""
        chain = copy.copy(self)
        chain.llm = llm
        return chain

    # -- the pipeline, top to bottom --------------------------------------

    def prepare(self) -> Runnable:
        """{question, history} -> {query, talks, sources, messages}: everything before the LLM."""
        return (
            RunnablePassthrough.assign(query=RunnableLambda(self.condense))
            | RunnablePassthrough.assign(talks=itemgetter("query") | self.retriever)
            | RunnablePassthrough.assign(sources=RunnableLambda(self.select_context))
            | RunnablePassthrough.assign(messages=RunnableLambda(self.build_messages))
        )

    def generate(self) -> Runnable:
        return self.llm | StrOutputParser()

    def condense(self, inputs: dict) -> str:
        """The standalone question for retrieval: the question itself unless there is history."""
        history = inputs.get("history") or []
        if not history or self.llm is None:
            return inputs["question"]
        lines = [f"{role.capitalize()}: {text}" for role, text in history[-6:]]
        prompt = self.condense_prompt.format(history="\n".join(lines), question=inputs["question"])
        rewritten = (self.llm | StrOutputParser()).invoke([HumanMessage(prompt)]).strip().split("\n")[0]
        return rewritten.strip(' "') or inputs["question"]

    def select_context(self, inputs: dict) -> list[Source]:
        """Each talk's title plus its sentences most relevant to the query, within the token budget."""
        docs = inputs["talks"]
        if not docs:
            return []
        talks = [self.catalog.by_id[doc.metadata["talk_id"]] for doc in docs]
        pools = [talk_sentences(talk) for talk in talks]
        orders = sentence_orders(inputs["query"], docs, pools, self.embeddings)
        retrieval = self.settings.retrieval
        count = lambda text: len(self.enc.encode(text))  # noqa: E731
        chosen = pick_sentences(orders, pools, [t.title for t in talks], count, retrieval.context_tokens, retrieval.sentences_per_talk)
        return [
            Source(
                n=i + 1,
                talk=talk,
                sentences=[pool[j] for j in chosen[i]],
                score=doc.metadata["score"],
                dense=doc.metadata["dense"],
                relevance=doc.metadata.get("question_relevance"),
            )
            for i, (doc, talk, pool) in enumerate(zip(docs, talks, pools))
        ]

    def build_messages(self, inputs: dict) -> list:
        blocks = []
        for source in inputs["sources"]:
            speaker = f" (speaker: {source.talk.speaker})" if source.talk.speaker else ""
            blocks.append(f"[{source.n}] {source.talk.title}{speaker}\n{source.snippet}")
        prompt = self.list_prompt if is_open_ended(inputs.get("query") or inputs["question"]) else self.prompt
        return prompt.format_messages(context="\n\n".join(blocks), question=inputs["question"])

    def should_abstain_early(self, sources: list[Source]) -> bool:
        """Nothing retrieved is even close: answer that the corpus does not cover it, without the LLM."""
        return abstain_early([(s.dense, s.relevance) for s in sources], self.settings)

    # -- running it ---------------------------------------------------------

    def check_question(self, question: str) -> str:
        question = (question or "").strip()
        if not question:
            raise InputError("the question is empty")
        tokens = len(self.enc.encode(question))
        if tokens > self.settings.max_question_tokens:
            raise InputError(f"the question is {tokens} tokens long; the limit is {self.settings.max_question_tokens}")
        return question

    def stream(self, question: str, history: list[tuple[str, str]] | None = None) -> Iterator[tuple[str, object]]:
        """Events: ("query", the standalone query) and ("sources", [Source]) as soon as retrieval is done,
        then ("token", str)..., then ("answer", Answer)."""
        started = time.perf_counter()
        question = self.check_question(question)
        prepared = self.prepare().invoke({"question": question, "history": history or []})
        answer = Answer(question=question, query=prepared["query"], sources=prepared["sources"])
        answer.timings["retrieve_ms"] = round((time.perf_counter() - started) * 1000, 1)
        yield "query", answer.query
        yield "sources", answer.sources

        if self.llm is None or self.should_abstain_early(answer.sources):
            answer.answer = self.abstain_text if self.llm is not None else ""
            answer.abstained = self.llm is not None
            yield from self._finish(answer, started, streamed_text=answer.answer)
            return

        messages = prepared["messages"]
        answer.prompt_tokens = sum(len(self.enc.encode(str(m.content))) for m in messages)
        parts: list[str] = []
        try:
            for token in self.generate().stream(messages):
                if not parts:
                    answer.timings["first_token_ms"] = round((time.perf_counter() - started) * 1000, 1)
                parts.append(token)
                yield "token", token
        except LLMUnavailableError:
            raise
        except Exception as err:
            raise LLMUnavailableError(describe_llm_error(err)) from None
        answer.answer = "".join(parts).strip()
        yield from self._finish(answer, started)

    def _finish(self, answer: Answer, started: float, streamed_text: str | None = None) -> Iterator[tuple[str, object]]:
        valid = {s.n for s in answer.sources}
        if streamed_text:
            yield "token", streamed_text
        if answer.abstained or is_refusal(answer.answer):
            answer.abstained = self.llm is not None
            answer.sentences, answer.cited = [], []
        else:
            if answer.answer and not re.search(r"[A-Za-z]", MARKER.sub("", answer.answer)):
                answer.answer = self.render_choice(answer)
            answer.sentences, answer.cited = parse_citations(answer.answer, valid)
            by_n = {s.n: s for s in answer.sources}
            scores = support_scores(
                [s["text"] for s in answer.sentences],
                [[by_n[n].snippet for n in s["citations"]] for s in answer.sentences],
                self.embeddings,
            )
            for sentence, score in zip(answer.sentences, scores):
                sentence["support"] = score
        answer.timings.setdefault("first_token_ms", None)
        answer.timings["total_ms"] = round((time.perf_counter() - started) * 1000, 1)
        yield "answer", answer

    @staticmethod
    def render_choice(answer: Answer) -> str:
        """The model answered with source numbers only ("[1][3]"): name the talks it chose."""
        by_n = {s.n: s for s in answer.sources}
        chosen = [int(n) for group in MARKER.findall(answer.answer) for n in re.split(r"[,;]", group)]
        lines = [f"- {by_n[n].talk.title.rstrip(' …')} [{n}]" for n in dict.fromkeys(chosen) if n in by_n]
        return "\n".join(lines)

    def invoke(self, question: str, history: list[tuple[str, str]] | None = None) -> Answer:
        """The whole answer at once (the evaluation and the JSON output use this)."""
        for kind, value in self.stream(question, history):
            if kind == "answer":
                return value
        raise RuntimeError("the answer stream ended without an answer")


def describe_llm_error(err: Exception) -> str:
    """One line for a failed LLM call: unreachable, timed out, or refused."""
    name = err.__class__.__name__
    if "Timeout" in name:
        return f"the LLM endpoint timed out ({name})"
    if "Connection" in name or isinstance(err, (ConnectionError, OSError)):
        return f"the LLM endpoint is unreachable ({name}: {err})"
    return f"the LLM call failed ({name}: {err})"
