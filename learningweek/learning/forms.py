"""The reflection form: private notes, one field per prompt."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from learningweek.learning.models import REFLECTION_MAX_LENGTH
from learningweek.learning.services import REFLECTION_PROMPTS, ReflectionData
from learningweek.web.forms import multi_line


def _note(name: str) -> TextAreaField:
    return TextAreaField(
        REFLECTION_PROMPTS[name],
        validators=[Optional(), Length(max=REFLECTION_MAX_LENGTH)],
        filters=[multi_line],
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
