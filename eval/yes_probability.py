"""How sure the embedded judge model is of YES: a probability instead of a one-word verdict.

A one-word verdict throws away how close the model was to the other word, and a
1.5B model's YES/NO flips on small changes of wording. Reading the next-token
distribution after the judge prompt gives P(YES) / (P(YES) + P(NO)), summed over
the spellings the model uses ("YES", "Yes", ...); the threshold that turns it into a
verdict is then a choice made on the tuning pairs (bench/judge_study.py), not the
model's coin.

Only the last position's logits are needed, so the llama.cpp context keeps
``logits_all=False`` (reading every position's logits made prompts ~2× slower here).
Consecutive prompts that share a beginning (one passage, several claims) reuse the
evaluated prefix, as llama.cpp's own generate does.
"""

from __future__ import annotations

import math
import threading

import numpy as np

YES_WORDS = ("YES", "Yes", "yes", " YES", " Yes")
NO_WORDS = ("NO", "No", "no", " NO", " No")


class YesProbability:
    """P(YES) of a llama-cpp-python model answering one user message (chat template applied)."""

    def __init__(self, llama) -> None:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self.llama = llama
        template = llama.metadata["tokenizer.chat_template"]
        eos = llama.detokenize([llama.token_eos()]).decode("utf-8", "ignore")
        self.formatter = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token="")
        self.yes = sorted({self._first_token(w) for w in YES_WORDS})
        self.no = sorted({self._first_token(w) for w in NO_WORDS})
        self._lock = threading.Lock()

    def _first_token(self, word: str) -> int:
        return self.llama.tokenize(word.encode(), add_bos=False, special=False)[0]

    def tokens(self, messages: list[dict]) -> list[int]:
        """The chat messages as the chat model would see them, up to the assistant's first token."""
        prompt = self.formatter(messages=messages).prompt
        return self.llama.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)

    def __call__(self, user_message: str) -> float:
        return self.of_messages([{"role": "user", "content": user_message}])

    def of_messages(self, messages: list[dict]) -> float:
        """P(YES) as the reply's first word after ``messages`` (role/content dicts, a system prompt allowed)."""
        tokens = self.tokens(messages)
        with self._lock:
            logits = self._next_token_logits(tokens)
        yes = _logsumexp(logits[self.yes])
        no = _logsumexp(logits[self.no])
        return 1.0 / (1.0 + math.exp(no - yes))

    def _next_token_logits(self, tokens: list[int]) -> np.ndarray:
        llama = self.llama
        done = llama.n_tokens
        shared = 0
        for a, b in zip(llama.input_ids[:done], tokens):
            if a != b:
                break
            shared += 1
        llama.n_tokens = min(shared, len(tokens) - 1)  # at least one token is evaluated: its logits are read
        llama.eval(tokens[llama.n_tokens:])
        return np.ctypeslib.as_array(llama._ctx.get_logits(), shape=(llama.n_vocab(),)).copy()


def _logsumexp(values: np.ndarray) -> float:
    top = float(values.max())
    return top + math.log(float(np.exp(values - top).sum()))
