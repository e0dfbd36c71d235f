"""The schedule board for organizers: a grid per day, each run's page, and publishing."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeVar

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from learningweek.accounts.permissions import organizer_required
from learningweek.core.database import utcnow
from learningweek.core.errors import DomainError
from learningweek.editions.models import Edition, Room
from learningweek.extensions import db
from learningweek.notifications.tidings import plural
from learningweek.schedule import bp, consequences, services
from learningweek.schedule.conflicts import Settings, settings_from
from learningweek.schedule.forms import CancelRunForm, PlaceForm
from learningweek.schedule.models import Run
from learningweek.signups import services as signups
from learningweek.signups.forms import SeatLimitForm
from learningweek.web.actions import perform, writes
from learningweek.web.forms import EmptyForm

Form = TypeVar("Form", bound=FlaskForm)
T = TypeVar("T")


def scheduling_settings() -> Settings:
    """The rules' judgement calls, from configuration."""
    return settings_from(current_app.config)


@dataclass
class DayGrid:
    """One day of the board: slot rows × room columns, each cell the runs in it."""

    day: date
    rooms: list[Room]
    rows: list[tuple[str, list[list[tuple[Run, bool]]]]] = field(default_factory=list)


def _day_grid(board: services.Board, day: date) -> DayGrid:
    grid = board.grid
    starts = [start for start in grid.slot_starts() if grid.local(start).date() == day]
    slot_index = {start: index for index, start in enumerate(starts)}
    day_runs = [
        (run, spot)
        for run in board.runs
        if (spot := run.spot) is not None and grid.local(spot[0]).date() == day
    ]
    used_rooms = {room_id for _, (_, room_id) in day_runs}
    rooms = [room for room in board.rooms if room.is_active or room.id in used_rooms]
    column = {room.id: index for index, room in enumerate(rooms)}
    cells: list[list[list[tuple[Run, bool]]]] = [[[] for _ in rooms] for _ in starts]
    slot = timedelta(minutes=grid.slot_minutes)
    for run, (start, room_id) in day_runs:
        first = slot_index.get(start)
        if first is None:  # off the grid: shown in the problem list, not the grid
            continue
        length = max(1, -(-timedelta(minutes=run.learning_session.duration_minutes) // slot))
        for offset in range(min(length, len(starts) - first)):
            cells[first + offset][column[room_id]].append((run, offset == 0))
    rows = [(grid.time_label(start), cells[index]) for index, start in enumerate(starts)]
    return DayGrid(day=day, rooms=rooms, rows=rows)


def _selected_day(edition: Edition) -> date:
    try:
        day = date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        return edition.first_day
    return day if edition.first_day <= day <= edition.last_day else edition.first_day


@bp.get("/organize/editions/<int:edition_id>/board")
@organizer_required
def board(edition_id: int):
    """The board: one day's grid, unplaced runs, and every conflict and warning."""
    edition = db.get_or_404(Edition, edition_id)
    loaded = services.load_board(db.session, edition, scheduling_settings())
    day = _selected_day(edition)
    return render_template(
        "schedule/board.html",
        edition=edition,
        board=loaded,
        day_grid=_day_grid(loaded, day),
        action_form=EmptyForm(),
    )


def _run_or_404(run_id: int) -> Run:
    return db.get_or_404(Run, run_id)


def _run_post(
    rule: str,
) -> Callable[[Callable[[Run], ResponseReturnValue]], Callable[[int], ResponseReturnValue]]:
    """Register `handle(run)` as an organizer's POST to `/organize/runs/<id>/<rule>`."""

    def register(
        handle: Callable[[Run], ResponseReturnValue],
    ) -> Callable[[int], ResponseReturnValue]:
        @functools.wraps(handle)
        def view(run_id: int) -> ResponseReturnValue:
            return handle(_run_or_404(run_id))

        return bp.post(f"/organize/runs/<int:run_id>/{rule}")(writes(organizer_required(view)))

    return register


def _run_page(
    run: Run,
    form: PlaceForm,
    problems=None,
    *,
    seats_short: bool = False,
    seat_form: SeatLimitForm | None = None,
    extra_run_form: PlaceForm | None = None,
):
    edition = run.learning_session.edition
    loaded = services.load_board(db.session, edition, scheduling_settings())
    failed = [f for f in (form, seat_form, extra_run_form) if f is not None and f.errors]
    status = 422 if failed else 200
    return (
        render_template(
            "schedule/run.html",
            form=form,
            run=run,
            edition=edition,
            current_problems=loaded.problems.get(run.id, []),
            proposed_problems=problems,
            seats_short=seats_short,
            seats=signups.seat_counts(db.session, [run], utcnow())[run.id]
            if run.is_placed
            else None,
            seat_form=seat_form or SeatLimitForm(data={"seat_limit": run.seat_limit}),
            extra_run_form=extra_run_form or _place_form(run, prefix="extra"),
            has_begun=run.starts_at is not None and run.starts_at <= utcnow(),
            action_form=EmptyForm(),
        ),
        status,
    )


def _place_form(run: Run, **kwargs) -> PlaceForm:
    edition = run.learning_session.edition
    rooms = db.session.scalars(db.select(Room).order_by(Room.kind, Room.name)).all()
    return PlaceForm(grid=services.grid_of(edition, now=utcnow()), rooms=rooms, **kwargs)


def _needs_confirming(run: Run) -> bool:
    """A move of a published run reaches people: the organizer sees whom before it."""
    return run.is_placed and run.learning_session.edition.is_published


def _move_page(run: Run, form: PlaceForm, *, status: int = 200) -> ResponseReturnValue:
    """The confirmation page of a move: what it breaks, who it reaches and how."""
    edition = run.learning_session.edition
    now = utcnow()
    start, room = form.start, db.get_or_404(Room, form.room_id.data)
    settings = scheduling_settings()
    board = services.load_board(db.session, edition, settings, now=now)
    problems = board.check(run, start, room, settings)
    seats = signups.seat_counts(db.session, [run], now)[run.id]
    limits = [run.learning_session.max_participants, room.capacity]
    if run.seat_limit is not None:
        limits.append(run.seat_limit)
    return (
        render_template(
            "schedule/confirm_move.html",
            run=run,
            edition=edition,
            form=form,
            room=room,
            start=start,
            refusal=services.move_refusal(run, start, now=now),
            problems=problems,
            can_override=services.PlacementRefused(problems).can_override,
            seats_taken=seats.taken,
            new_capacity=min(limits),
            consequences=consequences.move_consequences(
                db.session, run, start, is_room_change=start == run.starts_at
            ),
        ),
        status,
    )


@bp.get("/organize/runs/<int:run_id>/move")
@organizer_required
def confirm_move(run_id: int):
    """Before a published run moves: who it reaches and what they are told."""
    run = _run_or_404(run_id)
    if not run.is_placed or not request.args:
        # Nothing to move, or nothing chosen yet: the run's page offers the choice.
        return _run_page(run, _place_form(run, data=_placement_data(run)))
    form = _place_form(run, formdata=request.args, meta={"csrf": False})
    if not form.validate():
        return _run_page(run, form)
    return _move_page(run, form)


@bp.get("/organize/runs/<int:run_id>")
@organizer_required
def run_detail(run_id: int):
    """One run: its problems where it is, and a form to place or move it."""
    run = _run_or_404(run_id)
    return _run_page(run, _place_form(run, data=_placement_data(run)))


def _placement_data(run: Run) -> dict:
    if run.spot is None:
        return {}
    start, room_id = run.spot
    return {"starts_at": start.isoformat(), "room_id": room_id}


def _placing(service: Callable[..., T], run: Run, form: PlaceForm, **options: bool) -> T:
    """Call a service that places a run (or a new one beside it) with the form's choices."""
    return service(
        db.session,
        run,
        form.start,
        db.get_or_404(Room, form.room_id.data),
        actor=current_user,
        now=utcnow(),
        settings=scheduling_settings(),
        force=form.force.data,
        **options,
    )


def _refused(run: Run, error: DomainError) -> ResponseReturnValue:
    """Undo the attempt and say why on the run's page."""
    db.session.rollback()
    flash(str(error), "error")
    return redirect(url_for("schedule.run_detail", run_id=run.id))


@_run_post("place")
def place(run: Run) -> ResponseReturnValue:
    """Place or move a run; hard conflicts need "place anyway"."""
    form = _place_form(run)
    if not form.validate_on_submit():
        return _run_page(run, form)
    confirming = _needs_confirming(run)
    if confirming and not form.confirmed.data:
        # The move reaches people: show whom first (GET), and that page posts it back.
        return redirect(
            url_for(
                "schedule.confirm_move",
                run_id=run.id,
                starts_at=form.starts_at.data,
                room_id=form.room_id.data,
            ),
            303,
        )
    try:
        problems = _placing(
            services.place_run,
            run,
            form,
            force_seats=form.force_seats.data,
            force_clashes=form.force_clashes.data,
        )
    except services.PlacementRefused as refused:
        db.session.rollback()
        form.form_errors.append(
            "This placement breaks the rules below. Choose another, or tick "
            "“place anyway” to place it regardless."
            if refused.can_override
            else "This placement breaks the rules below. Choose another time."
        )
        if confirming:
            return _move_page(run, form, status=422)
        return _run_page(run, form, refused.problems)
    except signups.SeatsWouldBeLost as error:
        db.session.rollback()
        form.form_errors.append(
            f"{error} Choose a bigger room, or tick “move anyway” to send the latest "
            f"{error.excess} back to the head of the waitlist."
        )
        if confirming:
            return _move_page(run, form, status=422)
        return _run_page(run, form, seats_short=True)
    except services.MoveWouldDoubleBook as error:
        db.session.rollback()
        form.form_errors.append(
            f"{error} Choose another time, or tick “move anyway” to move it regardless."
        )
        return _move_page(run, form, status=422)
    except DomainError as error:
        return _refused(run, error)
    # Made before the commit, which would expire what the text is made from.
    done = (
        "The run moved; its teachers and everyone signed up are told."
        if confirming
        else "The run is placed."
    )
    db.session.commit()
    kept = [problem.message for problem in problems]
    flash(done + (" Still to look at: " + " ".join(kept) if kept else ""), "success")
    day = services.grid_of(run.learning_session.edition).local(form.start).date()
    return redirect(
        url_for("schedule.board", edition_id=run.learning_session.edition_id, day=day.isoformat())
    )


@_run_post("seats")
def seats(run: Run) -> ResponseReturnValue:
    """Cap a run's seats, or lift the cap; cutting below the seats held needs "anyway"."""
    form = SeatLimitForm()
    place_form = _place_form(run, data=_placement_data(run))
    if not form.validate_on_submit():
        return _run_page(run, place_form, seat_form=form)
    try:
        change = signups.set_seat_limit(
            db.session,
            run,
            form.seat_limit.data,
            actor=current_user,
            now=utcnow(),
            force=form.force.data,
        )
    except signups.SeatsWouldBeLost as error:
        db.session.rollback()
        form.seat_limit.errors = [
            f"{error} Tick “cut seats anyway” to send the latest {error.excess} back to "
            "the head of the waitlist."
        ]
        return _run_page(run, place_form, seat_form=form)
    except DomainError as error:
        db.session.rollback()
        form.seat_limit.errors = [str(error)]
        return _run_page(run, place_form, seat_form=form)
    db.session.commit()
    flash(
        f"Seats saved: {len(change.promoted)} moved up from the waitlist, "
        f"{len(change.bumped)} went back to it.",
        "success",
    )
    return redirect(url_for("schedule.run_detail", run_id=run.id))


@_run_post("extra-run")
def extra_run(run: Run) -> ResponseReturnValue:
    """Add a run for an overflowing waitlist and seat the waiting people in it."""
    form = _place_form(run, prefix="extra")
    place_form = _place_form(run, data=_placement_data(run))
    if not form.validate_on_submit():
        return _run_page(run, place_form, extra_run_form=form)
    try:
        new_run, moved = _placing(services.add_run_for_waitlist, run, form)
    except services.PlacementRefused as refused:
        db.session.rollback()
        form.form_errors.append(
            "The new run would break these rules: "
            + " ".join(p.message for p in refused.problems if p.is_hard)
        )
        return _run_page(run, place_form, extra_run_form=form)
    except DomainError as error:
        return _refused(run, error)
    db.session.commit()
    moved_in = plural(len(moved), "person", "people")
    flash(f"The new run is placed and {moved_in} from the waitlist moved in.", "success")
    return redirect(url_for("schedule.run_detail", run_id=new_run.id))


def _run_action(
    rule: str, success: str, form_class: type[Form] = EmptyForm
) -> Callable[[Callable[[Run, Form], object]], Callable[[int], ResponseReturnValue]]:
    """Register `act(run, form)` as an organizer's POST to `/organize/runs/<id>/<rule>`.

    The form is validated, the service runs and commits (`perform`), and the page goes
    back to the board when the button came from there, else to the run's page.
    """

    def register(act: Callable[[Run, Form], object]) -> Callable[[int], ResponseReturnValue]:
        @functools.wraps(act)
        def handle(run: Run) -> ResponseReturnValue:
            form = form_class()
            perform(form, lambda: act(run, form), success)
            if request.form.get("back") == "board":
                return redirect(
                    url_for(
                        "schedule.board",
                        edition_id=run.learning_session.edition_id,
                        day=request.form.get("day") or None,
                    )
                )
            return redirect(url_for("schedule.run_detail", run_id=run.id))

        return _run_post(rule)(handle)

    return register


@_run_action("unplace", "The run is unplaced.")
def unplace(run: Run, form: EmptyForm) -> None:
    """Take a run off the board (only before publishing)."""
    services.unplace_run(db.session, run, actor=current_user, now=utcnow())


@_run_action("pin", "Pinned: the automatic scheduler will leave it where it is.")
def pin(run: Run, form: EmptyForm) -> None:
    """Pin a run where it is."""
    services.set_pinned(db.session, run, True, actor=current_user)


@_run_action("unpin", "Unpinned.")
def unpin(run: Run, form: EmptyForm) -> None:
    """Release a pinned run."""
    services.set_pinned(db.session, run, False, actor=current_user)


@bp.get("/organize/runs/<int:run_id>/cancel")
@organizer_required
def confirm_cancel(run_id: int):
    """Before a run is cancelled: who it reaches and what they are told."""
    run = _run_or_404(run_id)
    if run.is_cancelled:
        flash("This run is already cancelled.", "error")
        return redirect(url_for("schedule.run_detail", run_id=run.id))
    return render_template(
        "schedule/confirm_cancel.html",
        run=run,
        edition=run.learning_session.edition,
        form=CancelRunForm(),
        consequences=consequences.cancel_consequences(db.session, run),
    )


@_run_action(
    "cancel",
    "The run is cancelled; its teachers and everyone signed up are told.",
    CancelRunForm,
)
def cancel(run: Run, form: CancelRunForm) -> None:
    """Cancel one run; its room is freed; its teachers and everyone signed up are told."""
    services.cancel_run(
        db.session, run, actor=current_user, comment=form.comment.data or "", now=utcnow()
    )


@bp.post("/organize/editions/<int:edition_id>/publish")
@writes
@organizer_required
def publish(edition_id: int):
    """Publish the programme, if nothing blocks it."""
    edition = db.get_or_404(Edition, edition_id)
    perform(
        EmptyForm(),
        lambda: services.publish_edition(
            db.session, edition, actor=current_user, settings=scheduling_settings(), now=utcnow()
        ),
        f"The programme of {edition.name} is published.",
    )
    return redirect(url_for("schedule.board", edition_id=edition.id))


@bp.post("/organize/editions/<int:edition_id>/schedule")
@writes
@organizer_required
def schedule(edition_id: int):
    """Run the automatic scheduler: it places what it can, keeping pinned runs."""
    edition = db.get_or_404(Edition, edition_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        report = services.schedule_edition(
            db.session,
            edition,
            actor=current_user,
            now=utcnow(),
            settings=scheduling_settings(),
            time_limit=current_app.config["LEARNINGWEEK_SCHEDULER_SECONDS"],
        )
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("schedule.board", edition_id=edition.id))
    db.session.commit()
    flash(describe(report), "error" if report.unplaced else "success")
    for run, reason in list(report.unplaced.items())[:10]:
        flash(f"Not placed: “{run.learning_session.title}”: {reason}", "error")
    return redirect(url_for("schedule.board", edition_id=edition.id))


def describe(report: services.ScheduleReport) -> str:
    """One sentence on what the scheduler did and how good it is."""
    result = report.result
    text = f"The scheduler placed {report.placed} run{'' if report.placed == 1 else 's'}"
    if report.unplaced:
        text += f" and could not place {len(report.unplaced)}"
    text += f"; {len(report.moved)} moved, {report.kept_pinned} pinned kept."
    if result.objective is not None and result.gap is not None:
        text += (
            f" Cost {result.objective:,.0f}, proven lower bound {result.bound:,.0f} "
            f"(within {result.gap:.0%})."
        )
    if result.shortages:
        text += " Short: " + "; ".join(result.shortages) + "."
    return text
