"""The feedback form (one rating per learning objective) and the reflection form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from learningweek.feedback.models import (
    COMMENT_MAX_LENGTH,
    RATING_MAX,
    RATING_MIN,
    REFLECTION_MAX_LENGTH,
)
from learningweek.feedback.services import REFLECTION_PROMPTS, FeedbackData, ReflectionData
from learningweek.proposals.models import LearningObjective
from learningweek.web.forms import strip

RATING_CHOICES = [SelectChoice(n, str(n)) for n in range(RATING_MIN, RATING_MAX + 1)]
CHOOSE = "Choose from 1 (not at all) to 5 (very much)."


def _rating(label: str) -> RadioField:
    return RadioField(
        label,
        choices=RATING_CHOICES,
        coerce=int,
        validators=[InputRequired(message=CHOOSE)],
        description="1 not at all, 5 very much.",
    )


def _comment(label: str) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)],
        filters=[strip],
        render_kw={"rows": 4, "maxlength": COMMENT_MAX_LENGTH},
    )


class FeedbackForm(FlaskForm):
    """Ratings and comments about one run; `for_objectives` adds a rating per objective."""

    overall = _rating("Overall, how was the session?")
    useful = _rating("How useful is it for my work?")
    would_recommend = RadioField(
        "Would I recommend it to a colleague?",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        validators=[InputRequired(message="Say yes or no.")],
    )
    worked = _comment("What worked")
    improve = _comment("What to improve")

    @classmethod
    def for_objectives(cls, objectives: list[LearningObjective], **kwargs) -> FeedbackForm:
        """The form with one "this session helped me reach it" question per objective."""
        fields = {
            f"objective_{objective.id}": _rating(f"It helped me {objective.text}")
            for objective in objectives
        }
        form_class = type("RunFeedbackForm", (cls,), fields)
        form = form_class(**kwargs)
        form.objective_fields = [(o, f"objective_{o.id}") for o in objectives]
        return form

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.objective_fields: list[tuple[LearningObjective, str]] = []

    def feedback_data(self) -> FeedbackData:
        """The answer as the service takes it."""
        return FeedbackData(
            overall=self.overall.data,
            useful=self.useful.data,
            would_recommend={"yes": True, "no": False}.get(self.would_recommend.data),
            worked=self.worked.data or "",
            improve=self.improve.data or "",
            objectives={o.id: self[name].data for o, name in self.objective_fields},
        )


def feedback_form_data(answer) -> dict:
    """A stored answer as the form's initial data."""
    data = {
        "overall": answer.overall,
        "useful": answer.useful,
        "would_recommend": "yes" if answer.would_recommend else "no",
        "worked": answer.worked,
        "improve": answer.improve,
    }
    data |= {f"objective_{r.objective_id}": r.rating for r in answer.objective_ratings}
    return data


def _note(name: str) -> TextAreaField:
    return TextAreaField(
        REFLECTION_PROMPTS[name],
        validators=[Optional(), Length(max=REFLECTION_MAX_LENGTH)],
        filters=[strip],
        render_kw={"rows": 4},
    )


class ReflectionForm(FlaskForm):
    """Private notes, one field per prompt."""

    try_at_work = _note("try_at_work")
    practise = _note("practise")
    ask_teacher = _note("ask_teacher")

    def reflection_data(self) -> ReflectionData:
        """The notes as the service takes them."""
        return ReflectionData(
            try_at_work=self.try_at_work.data or "",
            practise=self.practise.data or "",
            ask_teacher=self.ask_teacher.data or "",
        )
