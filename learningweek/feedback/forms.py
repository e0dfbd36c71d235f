"""The feedback form: ratings, comments and one rating per learning objective."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from learningweek.feedback.models import COMMENT_MAX_LENGTH, RATINGS, Feedback
from learningweek.feedback.services.answers import FeedbackData
from learningweek.proposals.models import LearningObjective
from learningweek.web.forms import multi_line

RATING_CHOICES = [SelectChoice(n, str(n)) for n in RATINGS]
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
        filters=[multi_line],
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


def feedback_form_data(answer: Feedback) -> dict[str, int | str]:
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
