"""Feedback, reflection and the figures built from them.

Who may answer, the window, one answer per person, and results that stay anonymous:
teachers see distributions, averages and comments without names, and nothing until
enough people answered. Reflections are for their writer alone.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from learningweek.accounts.models import User
from learningweek.core.database import DbSession, unique_or_raise
from learningweek.core.enums import Attendance, NotificationKind, ProposalStatus, SignupStatus
from learningweek.core.errors import DomainError, NotAllowed, ValidationFailed
from learningweek.core.localtime import format_local
from learningweek.editions.models import Edition, Topic
from learningweek.feedback.models import (
    COMMENT_MAX_LENGTH,
    RATING_MAX,
    RATING_MIN,
    REFLECTION_MAX_LENGTH,
    Feedback,
    ObjectiveRating,
    Reflection,
)
from learningweek.notifications.services import queue_notification
from learningweek.proposals import permissions
from learningweek.proposals.models import LearningObjective, LearningSession, session_topics
from learningweek.schedule.models import Run
from learningweek.signups.models import Signup

RATINGS = range(RATING_MIN, RATING_MAX + 1)


class FeedbackRefused(DomainError):
    """This person cannot give feedback on this run now; the message says why."""


# --- answering --------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackData:
    overall: int | None
    useful: int | None
    would_recommend: bool | None
    worked: str = ""
    improve: str = ""
    objectives: dict[int, int | None] = field(default_factory=dict)  # objective id → rating


def feedback_problems(data: FeedbackData, objective_ids: Iterable[int]) -> dict[str, str]:
    """Every rule an answer breaks, by form field."""
    problems: dict[str, str] = {}
    for name in ("overall", "useful"):
        if getattr(data, name) not in RATINGS:
            problems[name] = f"Choose from {RATING_MIN} to {RATING_MAX}."
    if data.would_recommend is None:
        problems["would_recommend"] = "Say yes or no."
    for name in ("worked", "improve"):
        if len(getattr(data, name) or "") > COMMENT_MAX_LENGTH:
            problems[name] = f"Keep it to {COMMENT_MAX_LENGTH:,} characters."
    for objective_id in objective_ids:
        if data.objectives.get(objective_id) not in RATINGS:
            problems[f"objective_{objective_id}"] = f"Choose from {RATING_MIN} to {RATING_MAX}."
    return problems


def feedback_closes_at(run: Run) -> datetime:
    """The end of a run's feedback window: the edition's number of days after it ends."""
    return run.ends_at + timedelta(days=run.learning_session.edition.feedback_days)


def seat_in(db_session: DbSession, run: Run, user: User) -> Signup | None:
    """The person's confirmed seat in the run, if any (earlier, cancelled sign-ups of
    theirs for the same run are ignored)."""
    return db_session.scalar(
        sa.select(Signup).where(
            Signup.run_id == run.id,
            Signup.user_id == user.id,
            Signup.status == SignupStatus.CONFIRMED,
        )
    )


def feedback_refusal(run: Run, user: User, seat: Signup | None, *, now: datetime) -> str | None:
    """Why `user` (holding `seat`, their confirmed sign-up, or None) cannot answer about
    `run` now, or None."""
    learning_session = run.learning_session
    zone = learning_session.edition.zone
    if run.is_cancelled or not run.is_placed:
        return "This run did not take place."
    if permissions.is_teacher(user, learning_session):
        return "You teach this session; its attendees give the feedback."
    if seat is None:
        return "Only people who had a seat in this run can give feedback on it."
    if seat.attendance == Attendance.NO_SHOW:
        return "You were checked in as not attending this run."
    if now < run.ends_at:
        return f"Feedback opens when the run ends, {format_local(run.ends_at, zone)}."
    closes = feedback_closes_at(run)
    if now >= closes:
        return f"Feedback closed {format_local(closes, zone)}."
    return None


def feedback_of(db_session: DbSession, run: Run, user: User) -> Feedback | None:
    """The person's answer about the run, if they gave one."""
    return db_session.scalar(
        sa.select(Feedback)
        .options(selectinload(Feedback.objective_ratings))
        .where(Feedback.run_id == run.id, Feedback.user_id == user.id)
    )


def save_feedback(
    db_session: DbSession, run: Run, data: FeedbackData, *, user: User, now: datetime
) -> Feedback:
    """Give or change one's answer, while the window is open. One answer per person."""
    refusal = feedback_refusal(run, user, seat_in(db_session, run, user), now=now)
    if refusal:
        raise FeedbackRefused(refusal)
    objective_ids = [objective.id for objective in run.learning_session.objectives]
    problems = feedback_problems(data, objective_ids)
    if problems:
        raise ValidationFailed(problems)
    answer = feedback_of(db_session, run, user)
    taken = FeedbackRefused("You have already answered; your answer is saved.")
    with unique_or_raise(db_session, taken):
        if answer is None:
            answer = Feedback(run_id=run.id, session_id=run.session_id, user_id=user.id)
            answer.created_at = now
            db_session.add(answer)
        answer.overall = data.overall
        answer.useful = data.useful
        answer.would_recommend = data.would_recommend
        answer.worked = (data.worked or "").strip()
        answer.improve = (data.improve or "").strip()
        answer.updated_at = now
        ratings = {rating.objective_id: rating for rating in answer.objective_ratings}
        for objective_id in objective_ids:
            rating = ratings.get(objective_id)
            if rating is None:
                rating = ObjectiveRating(objective_id=objective_id)
                answer.objective_ratings.append(rating)
            rating.rating = data.objectives[objective_id]
    return answer


def request_feedback(db_session: DbSession, *, now: datetime) -> int:
    """Ask every eligible attendee of each run that ended (once per run) for feedback.

    Returns how many requests were queued. The flag on the run makes a second pass,
    or a concurrent one that lost the race for the row, ask nobody twice.
    """
    due = db_session.scalars(
        sa.select(Run)
        .join(Run.learning_session)
        .where(
            Run.feedback_requested_at.is_(None),
            Run.cancelled_at.is_(None),
            Run.starts_at.is_not(None),
            LearningSession.status == ProposalStatus.ACCEPTED,
            Run.starts_at <= now,
        )
        .order_by(Run.id)
        .with_for_update(of=Run, skip_locked=True)
    ).all()
    queued = 0
    for run in due:
        if run.ends_at > now:
            continue
        run.feedback_requested_at = now
        closes = feedback_closes_at(run)
        if now >= closes:
            continue  # asked too late to answer: flagged, nobody asked
        zone = run.learning_session.edition.zone
        attendees = db_session.scalars(
            sa.select(User)
            .join(Signup, Signup.user_id == User.id)
            .where(
                Signup.run_id == run.id,
                Signup.status == SignupStatus.CONFIRMED,
                sa.or_(Signup.attendance.is_(None), Signup.attendance != Attendance.NO_SHOW),
            )
            .order_by(User.id)
        )
        for attendee in attendees:
            if permissions.is_teacher(attendee, run.learning_session):
                continue
            queue_notification(
                db_session,
                recipient=attendee,
                kind=NotificationKind.FEEDBACK_REQUEST,
                subject=f"How was “{run.learning_session.title}”?",
                body=f"Tell the teachers what worked and what to improve in "
                f"“{run.learning_session.title}”, until {format_local(closes, zone)}. "
                "Your answer is anonymous to them. It is on your My learning page, "
                "next to your private reflection notes.",
                session_id=run.session_id,
            )
            queued += 1
    db_session.flush()
    return queued


# --- results ----------------------------------------------------------------------------


@dataclass
class QuestionResult:
    """One rated question's answers: how many gave each rating, and the average."""

    label: str
    counts: list[int]  # index 0 is rating 1

    @property
    def answers(self) -> int:
        return sum(self.counts)

    @property
    def average(self) -> float | None:
        if not self.answers:
            return None
        return (
            sum(rating * n for rating, n in zip(RATINGS, self.counts, strict=True)) / self.answers
        )

    @property
    def percents(self) -> list[int]:
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
        return self.answers / self.attendees if self.attendees else None


def _results(
    answers: list[Feedback],
    objectives: list[LearningObjective],
    *,
    attendees: int,
    no_shows: int,
    waiting: int,
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
        attendees=attendees,
        no_shows=no_shows,
        waiting=waiting,
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


def _signup_counts(db_session: DbSession, run_ids: list[int]) -> dict[int, Counter]:
    """Per run: confirmed, attended, no-shows and waiting, in one query."""
    counts: dict[int, Counter] = defaultdict(Counter)
    if not run_ids:
        return counts
    rows = db_session.execute(
        sa.select(Signup.run_id, Signup.status, Signup.attendance, sa.func.count())
        .where(
            Signup.run_id.in_(run_ids),
            Signup.status.in_([SignupStatus.CONFIRMED, SignupStatus.WAITLISTED]),
        )
        .group_by(Signup.run_id, Signup.status, Signup.attendance)
    )
    for run_id, status, attendance, count in rows:
        figures = counts[run_id]
        if status == SignupStatus.WAITLISTED:
            figures["waiting"] += count
            continue
        figures["confirmed"] += count
        if attendance == Attendance.ATTENDED:
            figures["attended"] += count
        elif attendance == Attendance.NO_SHOW:
            figures["no_shows"] += count
    return counts


def _people(counts: Iterable[Counter]) -> dict[str, int]:
    """Who could answer (confirmed and not marked no-show), no-shows and waiting."""
    counts = list(counts)
    confirmed = sum(c["confirmed"] for c in counts)
    no_shows = sum(c["no_shows"] for c in counts)
    return {
        "attendees": confirmed - no_shows,
        "no_shows": no_shows,
        "waiting": sum(c["waiting"] for c in counts),
    }


def can_see_results(user: User, learning_session: LearningSession) -> bool:
    """A session's results are for its teachers and the organizers."""
    return user.is_organizer or permissions.is_teacher(user, learning_session)


def session_results(
    db_session: DbSession, learning_session: LearningSession, *, threshold: int, actor: User
) -> SessionResults:
    """Each run's results and the session's total, in a fixed number of queries."""
    if not can_see_results(actor, learning_session):
        raise NotAllowed("Only the session's teachers and organizers see its results.")
    runs = [run for run in learning_session.runs if run.is_placed and not run.is_cancelled]
    run_ids = [run.id for run in runs]
    answers = list(
        db_session.scalars(
            sa.select(Feedback)
            .options(selectinload(Feedback.objective_ratings))
            .where(Feedback.run_id.in_(run_ids), _from_attendees())
        )
    )
    counts = _signup_counts(db_session, run_ids)
    objectives = list(learning_session.objectives)
    per_run = [
        (
            run,
            _results(
                [a for a in answers if a.run_id == run.id],
                objectives,
                threshold=threshold,
                **_people([counts[run.id]]),
            ),
        )
        for run in sorted(runs, key=lambda run: run.starts_at)
    ]
    total = _results(
        answers,
        objectives,
        threshold=threshold,
        **_people(counts[run_id] for run_id in run_ids),
    )
    if any(0 < results.answers < threshold for _, results in per_run):
        for _, results in per_run:
            results.is_withheld = True
    return SessionResults(runs=per_run, total=total)


def _from_attendees() -> sa.ColumnElement[bool]:
    """Answers whose writer still counts as an attendee: one checked in as no-show
    after answering no longer speaks for the run."""
    return sa.exists().where(
        Signup.run_id == Feedback.run_id,
        Signup.user_id == Feedback.user_id,
        Signup.status == SignupStatus.CONFIRMED,
        sa.or_(Signup.attendance.is_(None), Signup.attendance != Attendance.NO_SHOW),
    )


# --- reflection -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReflectionData:
    try_at_work: str = ""
    practise: str = ""
    ask_teacher: str = ""


REFLECTION_PROMPTS = {
    "try_at_work": "What will I try at work?",
    "practise": "What do I want to practise?",
    "ask_teacher": "What would I ask the teacher now?",
}


def attended_runs(db_session: DbSession, user: User) -> list[Run]:
    """Runs in which the person has a seat and was not checked in as no-show."""
    return list(
        db_session.scalars(
            sa.select(Run)
            .join(Signup, Signup.run_id == Run.id)
            .where(
                Signup.user_id == user.id,
                Signup.status == SignupStatus.CONFIRMED,
                sa.or_(Signup.attendance.is_(None), Signup.attendance != Attendance.NO_SHOW),
                Run.cancelled_at.is_(None),
                Run.starts_at.is_not(None),
            )
            .options(
                joinedload(Run.learning_session).joinedload(LearningSession.edition),
                joinedload(Run.learning_session).joinedload(LearningSession.lead),
                joinedload(Run.learning_session).selectinload(LearningSession.co_teachers),
                joinedload(Run.learning_session).selectinload(LearningSession.resources),
                joinedload(Run.learning_session).selectinload(LearningSession.objectives),
            )
            .order_by(Run.starts_at)
        ).unique()
    )


def has_attended(
    db_session: DbSession, user: User, learning_session: LearningSession, *, now: datetime
) -> bool:
    """Whether the person sat in a run of the session that has begun."""
    return any(
        run.session_id == learning_session.id and run.starts_at <= now
        for run in attended_runs(db_session, user)
    )


def reflection_problems(data: ReflectionData) -> dict[str, str]:
    """Every rule a reflection breaks, by field."""
    return {
        name: f"Keep it to {REFLECTION_MAX_LENGTH:,} characters."
        for name in REFLECTION_PROMPTS
        if len(getattr(data, name) or "") > REFLECTION_MAX_LENGTH
    }


def reflection_of(db_session: DbSession, user: User, session_id: int) -> Reflection | None:
    """The person's own notes on a session, if any."""
    return db_session.scalar(
        sa.select(Reflection).where(
            Reflection.user_id == user.id, Reflection.session_id == session_id
        )
    )


def save_reflection(
    db_session: DbSession,
    learning_session: LearningSession,
    data: ReflectionData,
    *,
    writer: User,
    now: datetime,
) -> Reflection:
    """Write or rewrite one's private notes on a session one attended."""
    if not has_attended(db_session, writer, learning_session, now=now):
        raise NotAllowed("Reflections are for sessions you attended.")
    problems = reflection_problems(data)
    if problems:
        raise ValidationFailed(problems)
    reflection = reflection_of(db_session, writer, learning_session.id)
    with unique_or_raise(db_session, DomainError("Your notes were saved a moment ago; reload.")):
        if reflection is None:
            reflection = Reflection(user_id=writer.id, session_id=learning_session.id)
            reflection.created_at = now
            db_session.add(reflection)
        for name in REFLECTION_PROMPTS:
            setattr(reflection, name, (getattr(data, name) or "").strip())
        reflection.updated_at = now
    return reflection


@dataclass
class LearningItem:
    """A session I attended, with my notes, and whether and why I can answer about it."""

    run: Run
    reflection: Reflection | None
    feedback_given: bool
    refusal: str | None


def my_learning(db_session: DbSession, user: User, *, now: datetime) -> list[LearningItem]:
    """The sessions I attended, newest first, with my notes and my feedback's state."""
    runs = [run for run in attended_runs(db_session, user) if run.starts_at <= now]
    seats = {
        seat.run_id: seat
        for seat in db_session.scalars(
            sa.select(Signup).where(
                Signup.user_id == user.id,
                Signup.status == SignupStatus.CONFIRMED,
                Signup.run_id.in_([run.id for run in runs]),
            )
        )
    }
    reflections = {
        reflection.session_id: reflection
        for reflection in db_session.scalars(
            sa.select(Reflection).where(Reflection.user_id == user.id)
        )
    }
    answered = set(
        db_session.scalars(sa.select(Feedback.run_id).where(Feedback.user_id == user.id))
    )
    return [
        LearningItem(
            run,
            reflections.get(run.session_id),
            run.id in answered,
            feedback_refusal(run, user, seats.get(run.id), now=now),
        )
        for run in sorted(runs, key=lambda run: run.starts_at, reverse=True)
    ]


def learning_markdown(user: User, items: list[LearningItem]) -> str:
    """My learning as a Markdown document to keep."""
    lines = [f"# My learning — {user.display_name}", ""]
    if not items:
        lines.append("No attended sessions yet.")
    for item in items:
        learning_session = item.run.learning_session
        when = format_local(item.run.starts_at, learning_session.edition.zone)
        teachers = ", ".join(teacher.display_name for teacher in learning_session.teachers)
        lines += [f"## {learning_session.title}", "", f"{when} · {teachers}", ""]
        if learning_session.objectives:
            lines += ["After this session I can:", ""]
            lines += [f"- {objective.text}" for objective in learning_session.objectives]
            lines.append("")
        if item.reflection is not None:
            for name, prompt in REFLECTION_PROMPTS.items():
                text = getattr(item.reflection, name)
                if text:
                    lines += [f"### {prompt}", "", text, ""]
        if learning_session.resources:
            lines += ["Resources:", ""]
            lines += [f"- [{r.title}]({r.url})" for r in learning_session.resources]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --- the organizer's report -------------------------------------------------------------


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
        return sum(figures.attended + figures.no_shows for figures in self.runs)

    @property
    def no_show_rate(self) -> float | None:
        no_shows = sum(figures.no_shows for figures in self.runs)
        return no_shows / self.marked if self.marked else None

    @property
    def response_rate(self) -> float | None:
        return self.answers / self.eligible if self.eligible else None

    @property
    def unserved(self) -> int:
        return sum(figures.waiting for figures in self.runs)

    @property
    def learning_hours(self) -> float:
        return sum(hours for _, hours in self.hours_by_department)

    def most_wanted(self, count: int = 10) -> list[tuple[LearningSession, int]]:
        """Sessions with the most people left waiting over all their runs: candidates
        to give again."""
        waiting: Counter = Counter()
        for figures in self.runs:
            waiting[figures.run.learning_session] += figures.waiting
        wanted = [(s, n) for s, n in waiting.items() if n]
        return sorted(wanted, key=lambda item: (-item[1], item[0].id))[:count]


def _average_rows(rows, threshold: int) -> list[Rating]:
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
            .where(
                LearningSession.edition_id == edition.id,
                LearningSession.status == ProposalStatus.ACCEPTED,
                Run.starts_at.is_not(None),
                Run.cancelled_at.is_(None),
            )
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
    per_run = _signup_counts(db_session, run_ids)
    answers = {
        run_id: (count, average)
        for run_id, count, average in db_session.execute(
            sa.select(Feedback.run_id, sa.func.count(), sa.func.avg(Feedback.overall))
            .where(Feedback.run_id.in_(run_ids), _from_attendees())
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
    rated = Feedback.run_id.in_(run_ids) & _from_attendees()
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
    figures = [
        RunFigures(
            run=run,
            capacity=run.capacity,
            confirmed=per_run[run.id]["confirmed"],
            attended=per_run[run.id]["attended"],
            no_shows=per_run[run.id]["no_shows"],
            waiting=per_run[run.id]["waiting"],
            answers=answers.get(run.id, (0, None))[0],
            average_overall=(
                float(answers[run.id][1])
                if answers.get(run.id, (0, None))[0] >= threshold
                else None
            ),
        )
        for run in runs
    ]
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
        eligible=sum(f.confirmed - f.no_shows for f in figures),
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
        rows.append(
            [
                str(f.run.id),
                f.run.learning_session.title,
                f.run.starts_at.strftime("%Y-%m-%d %H:%M"),
                f.run.room.name,
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
