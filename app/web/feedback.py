"""The chat's 👍/👎 and comments, per session, into the data dir's feedback file (app/core/feedback_log.py).

The session state keeps each finished answer's record by chat message index
(app/web/handlers.py) and the rating and comment given to it by answer id;
every change writes the whole entry again (the log's last line of an id wins),
so a comment sent after a rating keeps the rating, and the other way round.
"""

from __future__ import annotations

import gradio as gr

from app.core.config import Settings
from app.core.feedback_log import FeedbackLog
from app.core.answer_fingerprint import answer_fingerprint
from app.web.render import _e


class SessionFeedback:
    """The like event's and the comment box's handlers; the log is shared by every session."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.log = FeedbackLog.in_data_dir(settings.data_dir)
        self.fingerprint = answer_fingerprint(settings)

    def _save(self, state: dict, record: dict, request: gr.Request | None) -> dict:
        """Write the answer's entry (rating and comment as the session has them); returns the new state."""
        given = state.get("feedback", {}).get(record["id"], {})
        entry = {
            "id": record["id"],
            "rating": given.get("rating"),
            "comment": given.get("comment") or None,
            "question": record.get("question"),
            "query": record.get("query"),
            "answer": record.get("answer"),
            "abstained": record.get("abstained"),
            "citations": record.get("citations", []),
            "support": record.get("support"),
            "timings": record.get("timings", {}),
            "model": self.model_name,
            "fingerprint": self.fingerprint,
            "user": getattr(request, "username", None) if request is not None else None,
        }
        self.log.save(entry)
        return {**state, "rated": record["id"]}

    @property
    def model_name(self) -> str:
        from app.models.llm import describe

        return describe(self.settings)

    def rate(self, state: dict, evt: gr.LikeData, request: gr.Request = None) -> tuple[str, dict]:
        """The chat's 👍/👎 (clicking the same thumb again takes the rating back)."""
        state = state or {}
        index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        record = state.get("answers", {}).get(index)
        if record is None:
            return "Only answers can be rated (not an error message).", state
        rating = "up" if evt.liked is True else "down" if evt.liked is False else None
        feedback = {**state.get("feedback", {})}
        feedback[record["id"]] = {**feedback.get(record["id"], {}), "rating": rating}
        state = self._save({**state, "feedback": feedback}, record, request)
        said = {"up": "Thumbs up saved", "down": "Thumbs down saved", None: "Rating taken back"}[rating]
        return f"{said} for “{_e(record.get('question', ''))[:80]}”. Add a comment below if you like.", state

    def comment(self, text: str, state: dict, request: gr.Request = None) -> tuple[str, str, dict]:
        """A comment on the answer last rated (or, before any rating, the last answer): (status, box, state)."""
        state = state or {}
        text = (text or "").strip()
        if not text:
            return "Type a comment first.", "", state
        answers = state.get("answers", {})
        rated = state.get("rated")
        record = next((r for r in answers.values() if r["id"] == rated), None) if rated else None
        if record is None and answers:
            record = answers[max(answers)]
        if record is None:
            return "Ask a question first: comments go with an answer.", text, state
        feedback = {**state.get("feedback", {})}
        feedback[record["id"]] = {**feedback.get(record["id"], {}), "comment": text[:2000]}
        state = self._save({**state, "feedback": feedback}, record, request)
        return f"Comment saved for “{_e(record.get('question', ''))[:80]}”.", "", state
