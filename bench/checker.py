"""An independent check of a schedule's hard rules, written apart from the app's rules.

It shares no code with `learningweek.schedule.conflicts`, so a mistake there (or in
the solver's model) shows up as a disagreement instead of being repeated.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from learningweek.proposals.half_days import half_days_touched
from learningweek.schedule.solver import SchedulingProblem


def violations(
    problem: SchedulingProblem, placements: dict[int, tuple[datetime, int]]
) -> list[str]:
    """Every hard rule the placements (with the problem's fixed runs) break."""
    grid = problem.grid
    rooms = {room.id: room for room in problem.rooms}
    runs = {run.run_id: run for run in problem.runs}
    found = []
    # (run id, session, start, end, room id) for everything occupying rooms and teachers
    busy = [
        (
            p.run_id,
            p.session,
            p.starts_at,
            p.starts_at + timedelta(minutes=p.session.duration_minutes),
            p.room.id,
        )
        for p in problem.fixed
    ]
    for run_id, (start, room_id) in placements.items():
        session = runs[run_id].session
        end = start + timedelta(minutes=session.duration_minutes)
        local_start, local_end = start.astimezone(grid.zone), end.astimezone(grid.zone)
        room = rooms.get(room_id)
        if room is None:
            found.append(f"run {run_id}: unknown room {room_id}")
            continue
        if local_start.date() not in grid.days:
            found.append(f"run {run_id}: not on a day of the edition")
        minutes = local_start.hour * 60 + local_start.minute
        first = grid.day_starts_at.hour * 60 + grid.day_starts_at.minute
        if local_start.second or minutes < first or (minutes - first) % grid.slot_minutes:
            found.append(f"run {run_id}: starts off the grid")
        if local_end.date() != local_start.date() or local_end.time() > grid.day_ends_at:
            found.append(f"run {run_id}: ends after the day")
        touched = {half.key for half in half_days_touched(local_start, local_end)}
        if touched & set(session.unavailable_half_days):
            found.append(f"run {run_id}: outside the teachers' availability")
        wants_online = session.format.value == "online"
        if wants_online != (room.kind.value == "online"):
            found.append(
                f"run {run_id}: {session.format.value} session in a {room.kind.value} room"
            )
        if session.format.value == "hybrid" and "video" not in room.equipment:
            found.append(f"run {run_id}: hybrid session without video")
        if not session.equipment <= room.equipment:
            found.append(f"run {run_id}: room lacks equipment")
        if not room.is_active:
            found.append(f"run {run_id}: room not available")
        busy.append((run_id, session, start, end, room_id))
    for index, (run_a, session_a, start_a, end_a, room_a) in enumerate(busy):
        for run_b, session_b, start_b, end_b, room_b in busy[index + 1 :]:
            if not (start_a < end_b and start_b < end_a):
                continue
            if room_a == room_b:
                found.append(f"runs {run_a} and {run_b}: same room at once")
            if session_a.id == session_b.id:
                found.append(f"runs {run_a} and {run_b}: one session twice at once")
            teachers_a = {teacher for teacher, _ in session_a.teachers}
            if teachers_a & {teacher for teacher, _ in session_b.teachers}:
                found.append(f"runs {run_a} and {run_b}: a teacher twice at once")
    return found
