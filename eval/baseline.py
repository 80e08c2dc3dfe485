"""The baseline: a naive RAG chain in the shape of the LangChain quickstart.

Fixed-size character chunks of the raw corpus file (RecursiveCharacterTextSplitter,
1000 characters, 200 overlap), dense top-4 from a separate in-memory Chroma
collection (same embedding model; the main index is untouched), one prompt
(prompts/baseline.txt), the same chat model. Each chunk maps back to a talk by
character offset -> line -> talk (the talk holding most of the chunk's
characters), so its citations can be scored against the gold talks.
"""

from __future__ import annotations

import bisect
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaClientSettings
from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import HumanMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_text_splitters import RecursiveCharacterTextSplitter

from app.answer.citations import is_refusal, parse_citations
from app.answer.result import Sentence
from app.core.prompts import PROMPTS, load_prompt

CHUNK_SIZE, CHUNK_OVERLAP, TOP_K = 1000, 200, 4
_DONT_KNOW = re.compile(r"\b(?:i|we) (?:do not|don[’']?t) know\b|\bdon[’']?t know the answer\b", re.IGNORECASE)


def is_baseline_refusal(text: str) -> bool:
    return bool(_DONT_KNOW.search(text)) or is_refusal(text)


def chunk_talks(chunk_start: int, chunk_len: int, line_starts: list[int], line_talk: dict[int, str]) -> Counter:
    """Characters of the chunk [start, start+len) falling in each talk (by the 1-based lines they sit on)."""
    counts: Counter = Counter()
    end = chunk_start + chunk_len
    line = bisect.bisect_right(line_starts, chunk_start)  # 1-based line of the first character
    while line <= len(line_starts) and line_starts[line - 1] < end:
        lo = max(chunk_start, line_starts[line - 1])
        hi = min(end, line_starts[line] if line < len(line_starts) else end)
        if line in line_talk and hi > lo:
            counts[line_talk[line]] += hi - lo
        line += 1
    return counts


@dataclass
class BaselineAnswer:
    """The baseline's answer in the same terms as ours: numbered passages, sentences, citations."""

    question: str
    answer: str = ""
    abstained: bool = False
    chunks: list[Document] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    cited: list[int] = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    prompt_tokens: int = 0


class NaiveChain:
    """Split, embed, retrieve top-4, stuff into one prompt."""

    def __init__(
        self,
        corpus: Path,
        embeddings: Embeddings,
        llm: BaseChatModel | None,
        line_talk: dict[int, str],
        token_counter=None,
        collection: str = "talkqa-eval-baseline",
        prompts_dir: Path = PROMPTS,
    ):
        self.llm = llm
        self.count_tokens = token_counter or (lambda text: len(text.split()))
        self.template = load_prompt("baseline", prompts_dir)
        text = Path(corpus).read_text(encoding="utf-8")
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        if self.line_starts[-1] == len(text):  # a final newline starts no line
            self.line_starts.pop()
        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True)
        docs = splitter.create_documents([text], metadatas=[{"source": str(corpus)}])
        for i, doc in enumerate(docs):
            counts = chunk_talks(doc.metadata["start_index"], len(doc.page_content), self.line_starts, line_talk)
            doc.metadata["talk_id"] = counts.most_common(1)[0][0] if counts else ""
            doc.id = f"c{i:04d}"
        self.docs = docs
        client = chromadb.EphemeralClient(settings=ChromaClientSettings(anonymized_telemetry=False, allow_reset=True))
        try:
            client.delete_collection(collection)
        except Exception:
            pass
        self.vectorstore = Chroma(
            client=client,
            collection_name=collection,
            embedding_function=embeddings,
            collection_metadata={"hnsw:space": "cosine"},
        )
        self.vectorstore.add_documents(docs, ids=[d.id for d in docs])

    def rank_talks(self, question: str, n_chunks: int = 40) -> list[str]:
        """Talks in the order their first chunk comes in the dense ranking (for retrieval metrics)."""
        hits = self.vectorstore.similarity_search(question, k=min(n_chunks, len(self.docs)))
        return list(dict.fromkeys(d.metadata["talk_id"] for d in hits if d.metadata.get("talk_id")))

    def retrieve(self, question: str) -> list[Document]:
        return self.vectorstore.similarity_search(question, k=TOP_K)

    def prompt(self, question: str, chunks: list[Document]) -> str:
        context = "\n\n".join(f"[{i}] {d.page_content}" for i, d in enumerate(chunks, start=1))
        return self.template.format(context=context, question=question)

    def invoke(self, question: str, history: list[tuple[str, str]] | None = None) -> BaselineAnswer:
        """Retrieve, prompt, stream. With ``history`` (a follow-up), the naive way: the previous user
        turn is searched with the question, and the conversation precedes the question in the prompt."""
        started = time.perf_counter()
        answer = BaselineAnswer(question=question)
        earlier = [text for role, text in (history or []) if role == "user"]
        answer.chunks = self.retrieve(" ".join(earlier[-1:] + [question]))
        answer.timings["retrieve_ms"] = round((time.perf_counter() - started) * 1000, 1)
        conversation = "".join(f"{role.capitalize()}: {text}\n" for role, text in (history or []))
        prompt = self.prompt(conversation + question if conversation else question, answer.chunks)
        answer.prompt_tokens = self.count_tokens(prompt)
        parts: list[str] = []
        for token in (self.llm | StrOutputParser()).stream([HumanMessage(prompt)]):
            if not parts:
                answer.timings["first_token_ms"] = round((time.perf_counter() - started) * 1000, 1)
            parts.append(token)
        answer.answer = "".join(parts).strip()
        answer.timings.setdefault("first_token_ms", None)
        answer.timings["total_ms"] = round((time.perf_counter() - started) * 1000, 1)
        if is_baseline_refusal(answer.answer) or not answer.answer:
            answer.abstained = True
        else:
            answer.sentences, answer.cited = parse_citations(answer.answer, set(range(1, len(answer.chunks) + 1)))
        return answer
