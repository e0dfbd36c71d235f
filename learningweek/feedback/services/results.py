"""Feedback results: what a session's teachers and the organizers see.

Results stay anonymous: distributions, averages and comments without names, and
nothing until enough people answered.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import astuple, dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from learningweek.accounts.models import User
from learningweek.core.database import DbSession
from learningweek.core.enums import Attendance, SignupStatus
from learningweek.core.errors import NotAllowed
from learningweek.feedback.models import RATINGS, Feedback
from learningweek.feedback.permissions import can_see_results
from learningweek.proposals.models import LearningObjective, LearningSession
from learningweek.schedule.models import Run
from learningweek.signups.models import Signup


@dataclass(frozen=True)
class SignupFigures:
    """How a run's (or several runs') sign-ups count in results and reports."""

    confirmed: int = 0
    attended: int = 0  # checked in as attended
    no_shows: int = 0
    attendees: int = 0  # count as attendees: the people who could answer
    waiting: int = 0

    def __add__(self, other: SignupFigures) -> SignupFigures:
        return SignupFigures(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))


def signup_figures(db_session: DbSession, run_ids: list[int]) -> defaultdict[int, SignupFigures]:
    """Each run's sign-up figures, in one query; a run nobody signed up for has zeros."""
    figures: defaultdict[int, SignupFigures] = defaultdict(SignupFigures)
    if not run_ids:
        return figures
    rows = db_session.execute(
        sa.select(
            Signup.run_id,
            sa.func.count().filter(Signup.status == SignupStatus.CONFIRMED),
            sa.func.count().filter(Signup.attendance == Attendance.ATTENDED),
            sa.func.count().filter(Signup.attendance == Attendance.NO_SHOW),
            sa.func.count().filter(Signup.counts_as_attendee),
            sa.func.count().filter(Signup.status == SignupStatus.WAITLISTED),
        )
        .where(
            Signup.run_id.in_(run_ids),
            Signup.status.in_([SignupStatus.CONFIRMED, SignupStatus.WAITLISTED]),
        )
        .group_by(Signup.run_id)
    )
    for run_id, *counts in rows:
        figures[run_id] = SignupFigures(*counts)
    return figures


def from_attendees() -> sa.ColumnElement[bool]:
    """Answers whose writer still counts as an attendee: one checked in as no-show
    after answering no longer speaks for the run."""
    return sa.exists().where(
        Signup.run_id == Feedback.run_id,
        Signup.user_id == Feedback.user_id,
        Signup.counts_as_attendee,
    )


@dataclass
class QuestionResult:
    """One rated question's answers: how many gave each rating, and the average."""

    label: str
    counts: list[int]  # index 0 is rating 1

    @property
    def answers(self) -> int:
        """How many rated it."""
        return sum(self.counts)

    @property
    def average(self) -> float | None:
        """The mean rating; None without answers."""
        if not self.answers:
            return None
        return (
            sum(rating * n for rating, n in zip(RATINGS, self.counts, strict=True)) / self.answers
        )

    @property
    def percents(self) -> list[int]:
        """Each rating's share of the answers, in whole percent."""
        return [round(100 * n / self.answers) if self.answers else 0 for n in self.counts]


@dataclass
class Results:
    """A run's (or a session's) feedback as teachers may see it: no names, ever."""

    answers: int
    attendees: int  # confirmed and not marked no-show: the people who could answer
    no_shows: int
    waiting: int
    threshold: int
    questions: list[QuestionResult] = field(default_factory=list)
    recommend_yes: int = 0
    worked: list[str] = field(default_factory=list)
    improve: list[str] = field(default_factory=list)
    # Set on each run's results when another run is below the threshold: the total
    # minus the runs shown would give its answers away.
    is_withheld: bool = False

    @property
    def is_shown(self) -> bool:
        """Below the threshold a few answers could be told apart, so nothing is shown."""
        return self.answers >= self.threshold and not self.is_withheld

    def question_is_shown(self, question: QuestionResult) -> bool:
        """A question answered by fewer people (an objective added later) stays hidden."""
        return question.answers >= self.threshold

    @property
    def response_rate(self) -> float | None:
        """The share of attendees who answered."""
        return self.answers / self.attendees if self.attendees else None


def _results(
    answers: list[Feedback],
    objectives: list[LearningObjective],
    people: SignupFigures,
    *,
    threshold: int,
) -> Results:
    def question(label: str, ratings: Iterable[int]) -> QuestionResult:
        counter = Counter(ratings)
        return QuestionResult(label, [counter[rating] for rating in RATINGS])

    by_objective = defaultdict(list)
    for answer in answers:
        for rating in answer.objective_ratings:
            by_objective[rating.objective_id].append(rating.rating)
    questions = [
        question("Overall", (a.overall for a in answers)),
        question("Useful for my work", (a.useful for a in answers)),
        *(
            question(f"Helped me: {objective.text}", by_objective[objective.id])
            for objective in objectives
        ),
    ]
    # Comments in a fixed but meaningless order: never the order people answered in.
    return Results(
        answers=len(answers),
        attendees=people.attendees,
        no_shows=people.no_shows,
        waiting=people.waiting,
        threshold=threshold,
        questions=questions,
        recommend_yes=sum(1 for a in answers if a.would_recommend),
        worked=sorted(a.worked for a in answers if a.worked),
        improve=sorted(a.improve for a in answers if a.improve),
    )


@dataclass
class SessionResults:
    """Each run's results and the total over all runs of a session."""

    runs: list[tuple[Run, Results]]
    total: Results


def session_results(
    db_session: DbSession, learning_session: LearningSession, *, threshold: int, actor: User
) -> SessionResults:
    """Each run's results and the session's total, in a fixed number of queries."""
    if not can_see_results(actor, learning_session):
        raise NotAllowed("Only the session's teachers and organizers see its results.")
    runs = db_session.scalars(
        sa.select(Run)
        .where(Run.session_id == learning_session.id, Run.is_placed, ~Run.is_cancelled)
        .order_by(Run.starts_at, Run.id)
    ).all()
    run_ids = [run.id for run in runs]
    answers = list(
        db_session.scalars(
            sa.select(Feedback)
            .options(selectinload(Feedback.objective_ratings))
            .where(Feedback.run_id.in_(run_ids), from_attendees())
        )
    )
    people = signup_figures(db_session, run_ids)
    objectives = list(learning_session.objectives)
    per_run = [
        (
            run,
            _results(
                [a for a in answers if a.run_id == run.id],
                objectives,
                people[run.id],
                threshold=threshold,
            ),
        )
        for run in runs
    ]
    total = _results(
        answers, objectives, sum(people.values(), SignupFigures()), threshold=threshold
    )
    if any(0 < results.answers < threshold for _, results in per_run):
        for _, results in per_run:
            results.is_withheld = True
    return SessionResults(runs=per_run, total=total)
