"""An edition's figures for organizers, read from its runs, sign-ups and feedback alike.

Averages over fewer answers than the feedback threshold are withheld, as on results pages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from learningweek.accounts.models import User
from learningweek.core.database import DbSession
from learningweek.core.enums import Attendance, SignupStatus
from learningweek.editions.models import Edition, Topic
from learningweek.feedback.models import Feedback, ObjectiveRating
from learningweek.feedback.services.results import from_attendees, signup_figures
from learningweek.proposals.models import LearningObjective, LearningSession, session_topics
from learningweek.schedule.models import Run
from learningweek.signups.models import Signup


@dataclass
class RunFigures:
    """One run's line in the report."""

    run: Run
    capacity: int
    confirmed: int
    attended: int
    no_shows: int
    waiting: int
    answers: int
    average_overall: float | None

    @property
    def fill_rate(self) -> float | None:
        """Confirmed seats over capacity."""
        return self.confirmed / self.capacity if self.capacity else None


@dataclass
class Rating:
    """An average and how many answers it rests on."""

    label: str
    average: float | None
    answers: int


@dataclass
class EditionReport:
    """An edition's figures for organizers."""

    edition: Edition
    sessions: int
    runs: list[RunFigures]
    teachers: int
    participants: int
    signups: int
    hours_by_department: list[tuple[str, float]]
    by_topic: list[Rating]
    by_format: list[Rating]
    objectives: list[Rating]
    eligible: int
    answers: int

    @property
    def marked(self) -> int:
        """Sign-ups checked in either way."""
        return sum(figures.attended + figures.no_shows for figures in self.runs)

    @property
    def no_show_rate(self) -> float | None:
        """No-shows over everyone checked in."""
        no_shows = sum(figures.no_shows for figures in self.runs)
        return no_shows / self.marked if self.marked else None

    @property
    def response_rate(self) -> float | None:
        """Answers over the attendees who could give one."""
        return self.answers / self.eligible if self.eligible else None

    @property
    def unserved(self) -> int:
        """People still waiting for a seat."""
        return sum(figures.waiting for figures in self.runs)

    @property
    def learning_hours(self) -> float:
        """Hours attended, as checked in, over all departments."""
        return sum(hours for _, hours in self.hours_by_department)

    def most_wanted(self, count: int = 10) -> list[tuple[LearningSession, int]]:
        """Sessions with the most people left waiting over all their runs: candidates
        to give again."""
        waiting: Counter[LearningSession] = Counter()
        for figures in self.runs:
            waiting[figures.run.learning_session] += figures.waiting
        wanted = [(s, n) for s, n in waiting.items() if n]
        return sorted(wanted, key=lambda item: (-item[1], item[0].id))[:count]


def _average_rows(rows: Iterable[Sequence[Any]], threshold: int) -> list[Rating]:
    """Averages over fewer answers than the threshold are withheld: a run or objective
    with one answer would show that person's rating."""
    return [
        Rating(str(label), float(average) if answers >= threshold else None, answers)
        for label, average, answers in rows
    ]


def edition_report(db_session: DbSession, edition: Edition, *, threshold: int) -> EditionReport:
    """An edition's figures for organizers, in a fixed number of queries; averages
    over fewer than `threshold` answers are left out."""
    runs = list(
        db_session.scalars(
            sa.select(Run)
            .join(Run.learning_session)
            .where(LearningSession.edition_id == edition.id, Run.is_live)
            .options(
                joinedload(Run.room),
                joinedload(Run.learning_session).joinedload(LearningSession.lead),
                joinedload(Run.learning_session).selectinload(LearningSession.co_teachers),
            )
            .order_by(Run.starts_at, Run.id)
        ).unique()
    )
    run_ids = [run.id for run in runs]
    in_edition = Signup.run_id.in_(run_ids)
    per_run = signup_figures(db_session, run_ids)
    answers = {
        run_id: (count, average)
        for run_id, count, average in db_session.execute(
            sa.select(Feedback.run_id, sa.func.count(), sa.func.avg(Feedback.overall))
            .where(Feedback.run_id.in_(run_ids), from_attendees())
            .group_by(Feedback.run_id)
        )
    }
    participants = db_session.scalar(
        sa.select(sa.func.count(sa.distinct(Signup.user_id))).where(
            in_edition, Signup.status == SignupStatus.CONFIRMED
        )
    )
    duration = LearningSession.duration_minutes / 60.0
    hours = db_session.execute(
        sa.select(User.department, sa.func.sum(duration))
        .select_from(Signup)
        .join(User, User.id == Signup.user_id)
        .join(LearningSession, LearningSession.id == Signup.session_id)
        .where(
            in_edition,
            Signup.status == SignupStatus.CONFIRMED,
            Signup.attendance == Attendance.ATTENDED,
        )
        .group_by(User.department)
        .order_by(sa.func.sum(duration).desc(), User.department)
    ).all()
    rated = Feedback.run_id.in_(run_ids) & from_attendees()
    by_topic = db_session.execute(
        sa.select(Topic.name, sa.func.avg(Feedback.overall), sa.func.count())
        .select_from(Feedback)
        .join(session_topics, session_topics.c.session_id == Feedback.session_id)
        .join(Topic, Topic.id == session_topics.c.topic_id)
        .where(rated)
        .group_by(Topic.name)
        .order_by(Topic.name)
    ).all()
    by_format = db_session.execute(
        sa.select(LearningSession.format, sa.func.avg(Feedback.overall), sa.func.count())
        .select_from(Feedback)
        .join(LearningSession, LearningSession.id == Feedback.session_id)
        .where(rated)
        .group_by(LearningSession.format)
        .order_by(LearningSession.format)
    ).all()
    objectives = db_session.execute(
        sa.select(
            LearningSession.title + ": " + LearningObjective.text,
            sa.func.avg(ObjectiveRating.rating),
            sa.func.count(),
        )
        .select_from(ObjectiveRating)
        .join(Feedback, Feedback.id == ObjectiveRating.feedback_id)
        .join(LearningObjective, LearningObjective.id == ObjectiveRating.objective_id)
        .join(LearningSession, LearningSession.id == LearningObjective.session_id)
        .where(rated)
        .group_by(LearningObjective.id, LearningSession.title, LearningObjective.text)
        .order_by(sa.func.avg(ObjectiveRating.rating), LearningSession.title, LearningObjective.id)
    ).all()
    figures = []
    for run in runs:
        signups = per_run[run.id]
        count, average = answers.get(run.id, (0, None))
        figures.append(
            RunFigures(
                run=run,
                capacity=run.capacity,
                confirmed=signups.confirmed,
                attended=signups.attended,
                no_shows=signups.no_shows,
                waiting=signups.waiting,
                answers=count,
                average_overall=float(average) if count >= threshold else None,
            )
        )
    sessions = {run.learning_session for run in runs}
    teachers = {teacher.id for s in sessions for teacher in s.teachers}
    return EditionReport(
        edition=edition,
        sessions=len(sessions),
        runs=figures,
        teachers=len(teachers),
        participants=participants or 0,
        signups=sum(f.confirmed for f in figures),
        hours_by_department=[(department or "—", float(total)) for department, total in hours],
        by_topic=_average_rows(by_topic, threshold),
        by_format=_average_rows(((f.label, avg, n) for f, avg, n in by_format), threshold),
        objectives=_average_rows(objectives, threshold),
        eligible=sum(per_run[run.id].attendees for run in runs),
        answers=sum(f.answers for f in figures),
    )


REPORT_COLUMNS = [
    "run id",
    "session",
    "starts (UTC)",
    "room",
    "capacity",
    "confirmed",
    "fill rate",
    "attended",
    "no-shows",
    "still waiting",
    "feedback answers",
    "average overall",
]


def report_rows(report: EditionReport) -> list[list[str]]:
    """The report's per-run figures as spreadsheet rows, header first."""
    rows = [REPORT_COLUMNS]
    for f in report.runs:
        # The report lists live runs only, which all have a start and a room.
        starts_at, room = f.run.starts_at, f.run.room
        rows.append(
            [
                str(f.run.id),
                f.run.learning_session.title,
                "" if starts_at is None else starts_at.strftime("%Y-%m-%d %H:%M"),
                "" if room is None else room.name,
                str(f.capacity),
                str(f.confirmed),
                "" if f.fill_rate is None else f"{f.fill_rate:.2f}",
                str(f.attended),
                str(f.no_shows),
                str(f.waiting),
                str(f.answers),
                "" if f.average_overall is None else f"{f.average_overall:.2f}",
            ]
        )
    return rows
