"""One hash of everything that changes an answer besides the question: the prompts and the settings.

Evaluation runs key their cached answers by it, and feedback records carry it,
so a 👎 can be traced to the configuration that produced the answer (and an
answer re-asked under the same fingerprint is comparable).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from app.core.config import Settings
from app.core.prompts import PROMPTS


#: Prompts that grade or name talks, never answer: changing them must not invalidate cached answers.
NOT_ANSWER_PROMPTS = ("judge", "title")


def answer_fingerprint(settings: Settings, prompts_dir: Path = PROMPTS) -> str:
    """16 hex digits over the answer prompts and the settings that shape an answer (not keys, threads, timeouts)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in prompts_dir.glob("*.txt") if not p.stem.startswith(NOT_ANSWER_PROMPTS)):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    relevant = {
        "chunks": settings.chunks.model_dump(),
        "embedding": settings.embedding.model_dump(exclude={"threads", "batch_size"}),
        "retrieval": settings.retrieval.model_dump(),
        "rerank": settings.rerank.model_dump(exclude={"threads", "batch_size", "models_root"}),
        "llm": settings.llm.model_dump(exclude={"api_key", "threads", "timeout_s"}),
    }
    digest.update(json.dumps(relevant, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:16]
