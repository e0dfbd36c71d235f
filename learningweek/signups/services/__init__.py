"""Seats and waitlists: signing up, cancelling, switching, offers and capacity changes.

Every function takes the database session, the objects and `now`, never a request.
The rules hold under concurrency because every write locks what it decides on, in
one order (`locking`), so two writers can neither overbook a run nor deadlock each
other: runs first (by id), then people (by id). PostgreSQL takes row locks; on SQLite
the caller starts the transaction with `begin_write_transaction` (write requests do so
before anything is read), which holds the database lock from BEGIN IMMEDIATE on.
Behind the locks, a partial unique index keeps one active sign-up per person and
session.

Other features and the views use what this package exports; its modules import each
other directly.
"""

from learningweek.signups.services.capacity import (
    CapacityChange,
    end_signups_of_cancelled_run,
    offer_run_to_waitlist,
    rebalance_seats,
    set_seat_limit,
)
from learningweek.signups.services.eligibility import (
    clashes_of,
    seat_in_the_way,
    signup_refusal,
)
from learningweek.signups.services.errors import (
    AlreadyDone,
    ScheduleClash,
    SeatsWouldBeLost,
    SignupChanged,
    SignupRefused,
)
from learningweek.signups.services.locking import lock_runs
from learningweek.signups.services.news import tell_everyone_in
from learningweek.signups.services.promotion import pass_on_due_offers
from learningweek.signups.services.queries import (
    SeatCount,
    active_signups_of,
    people_seated,
    people_signed_up,
    runs_with_due_offers,
    runs_with_signups,
    seat_counts,
    waitlist_order,
    waitlist_positions,
)
from learningweek.signups.services.rosters import (
    Roster,
    is_check_in_open,
    record_attendance,
    roster,
    send_reminders,
)
from learningweek.signups.services.seats import (
    accept_offer,
    cancel_signup,
    decline_offer,
    keep_seat,
    release_signups_of,
    sign_up,
    switch_run,
)

__all__ = [
    "AlreadyDone",
    "CapacityChange",
    "Roster",
    "ScheduleClash",
    "SeatCount",
    "SeatsWouldBeLost",
    "SignupChanged",
    "SignupRefused",
    "accept_offer",
    "active_signups_of",
    "cancel_signup",
    "clashes_of",
    "decline_offer",
    "end_signups_of_cancelled_run",
    "is_check_in_open",
    "keep_seat",
    "lock_runs",
    "offer_run_to_waitlist",
    "pass_on_due_offers",
    "people_seated",
    "people_signed_up",
    "rebalance_seats",
    "record_attendance",
    "release_signups_of",
    "roster",
    "runs_with_due_offers",
    "runs_with_signups",
    "seat_counts",
    "seat_in_the_way",
    "send_reminders",
    "set_seat_limit",
    "sign_up",
    "signup_refusal",
    "switch_run",
    "tell_everyone_in",
    "waitlist_order",
    "waitlist_positions",
]
