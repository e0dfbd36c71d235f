"""Enumerations shared between features (a leaf module: it imports nothing of ours)."""

from enum import StrEnum
from typing import Self


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry what people read: `NAME = "value", "Label"`.

    A member without a label reads as its value in sentence case
    ("changes_requested" as "Changes requested").
    """

    label: str

    def __new__(cls, value: str, label: str | None = None) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value.replace("_", " ").capitalize()
        return member


class RoomKind(LabelledEnum):
    PHYSICAL = "physical", "Physical room"
    ONLINE = "online", "Online room"

    @classmethod
    def values(cls) -> set[str]:
        return {member.value for member in cls}


class Equipment(LabelledEnum):
    """Room equipment; sessions ask for the same tags."""

    PROJECTOR = "projector"
    VIDEO = "video", "Video conferencing"
    WHITEBOARD = "whiteboard"
    SCREEN = "screen", "Large screen"
    MICROPHONE = "microphone"
    LAPTOPS = "laptops", "Laptops for attendees"


class SessionFormat(LabelledEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class Level(LabelledEnum):
    INTRODUCTORY = "introductory"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class ProposalStatus(LabelledEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset(
    {ProposalStatus.REJECTED, ProposalStatus.WITHDRAWN, ProposalStatus.CANCELLED}
)


class ResourceKind(LabelledEnum):
    ARTICLE = "article"
    VIDEO = "video"
    COURSE = "course"
    BOOK = "book"
    TOOL = "tool"
    OTHER = "other"


class ResourceTiming(LabelledEnum):
    BEFORE = "before", "Before the session"
    AFTER = "after", "After it"


class NotificationKind(StrEnum):
    PROPOSAL_ACCEPTED = "proposal_accepted"
    PROPOSAL_REJECTED = "proposal_rejected"
    CHANGES_REQUESTED = "changes_requested"
    SESSION_CANCELLED = "session_cancelled"
    RUN_MOVED = "run_moved"
    RUN_CANCELLED = "run_cancelled"
    SEAT_CONFIRMED = "seat_confirmed"
    SEAT_OFFERED = "seat_offered"
    OFFER_EXPIRED = "offer_expired"
    BACK_ON_WAITLIST = "back_on_waitlist"
    FEEDBACK_REQUEST = "feedback_request"
    SIGNED_UP = "signed_up"
    WAITLISTED = "waitlisted"
    REMINDER = "reminder"
    SIGNUP_CANCELLED = "signup_cancelled"
    SWITCHED = "switched"
    OFFER_ACCEPTED = "offer_accepted"
    PLACE_CHANGED = "place_changed"
    CO_TEACHER_ADDED = "co_teacher_added"
    CO_TEACHER_REMOVED = "co_teacher_removed"
    PASSED_OVER = "passed_over"
    SEAT_RELEASED = "seat_released"
    SESSION_WITHDRAWN = "session_withdrawn"
    RUN_SCHEDULED = "run_scheduled"


class DeliveryState(LabelledEnum):
    PENDING = "pending"  # waiting for the mail worker (again, after a failed attempt)
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt; an organizer may retry
    SKIPPED = "skipped"  # an optional mail its recipient turned off: in the app only


# Mails each person may turn off, by the User flag that says whether they want them.
OPTIONAL_MAILS = {
    NotificationKind.REMINDER: "wants_reminder_mail",
    NotificationKind.FEEDBACK_REQUEST: "wants_feedback_mail",
}


class PromotionMode(LabelledEnum):
    """How a freed seat reaches the waitlist."""

    # The next person is signed up and told.
    AUTOMATIC = "automatic", "Sign the next person up automatically"
    # The seat is held for them for a while; they accept or decline.
    OFFER = "offer", "Offer the seat to the next person for a while"


class SignupStatus(LabelledEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted", "On the waitlist"
    # A freed seat held for a waitlisted person until the offer expires.
    OFFERED = "offered", "Seat offered"
    CANCELLED = "cancelled"
    DECLINED = "declined", "Offer declined"
    EXPIRED = "expired", "Offer expired"
    # Kept so calendars can show the run as cancelled.
    RUN_CANCELLED = "run_cancelled", "Run cancelled"


# A person holds at most one of these per session; seats are held by the first two.
ACTIVE_SIGNUP_STATUSES = frozenset(
    {SignupStatus.CONFIRMED, SignupStatus.OFFERED, SignupStatus.WAITLISTED}
)
SEAT_HOLDING_STATUSES = frozenset({SignupStatus.CONFIRMED, SignupStatus.OFFERED})


class Attendance(LabelledEnum):
    ATTENDED = "attended"
    NO_SHOW = "no_show", "No-show"
