"""What pages, feeds and mails load with a run, so showing many runs costs few queries."""

from __future__ import annotations

from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from learningweek.proposals.models import LearningSession
from learningweek.schedule.models import Run

SelectT = TypeVar("SelectT", bound=sa.Select)


def with_run_details(query: SelectT, *, topics: bool = False) -> SelectT:
    """`query` loading each run's room, session, edition and teachers (and topics)."""
    options = [
        joinedload(Run.room),
        joinedload(Run.learning_session).joinedload(LearningSession.edition),
        joinedload(Run.learning_session).joinedload(LearningSession.lead),
        joinedload(Run.learning_session).selectinload(LearningSession.co_teachers),
    ]
    if topics:
        options.append(joinedload(Run.learning_session).selectinload(LearningSession.topics))
    return query.options(*options)
