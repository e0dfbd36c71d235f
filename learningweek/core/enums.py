"""Enumerations shared between features (a leaf module: it imports nothing of ours)."""

from enum import StrEnum


class RoomKind(StrEnum):
    PHYSICAL = "physical"
    ONLINE = "online"

    @classmethod
    def values(cls) -> set[str]:
        return {member.value for member in cls}

    @property
    def label(self) -> str:
        return {RoomKind.PHYSICAL: "Physical room", RoomKind.ONLINE: "Online room"}[self]


class Equipment(StrEnum):
    """Room equipment; sessions ask for the same tags."""

    PROJECTOR = "projector"
    VIDEO = "video"
    WHITEBOARD = "whiteboard"
    SCREEN = "screen"
    MICROPHONE = "microphone"
    LAPTOPS = "laptops"

    @property
    def label(self) -> str:
        return {
            Equipment.PROJECTOR: "Projector",
            Equipment.VIDEO: "Video conferencing",
            Equipment.WHITEBOARD: "Whiteboard",
            Equipment.SCREEN: "Large screen",
            Equipment.MICROPHONE: "Microphone",
            Equipment.LAPTOPS: "Laptops for attendees",
        }[self]


class SessionFormat(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"

    @property
    def label(self) -> str:
        return {
            SessionFormat.IN_PERSON: "In person",
            SessionFormat.ONLINE: "Online",
            SessionFormat.HYBRID: "Hybrid",
        }[self]


class Level(StrEnum):
    INTRODUCTORY = "introductory"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ProposalStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset(
    {ProposalStatus.REJECTED, ProposalStatus.WITHDRAWN, ProposalStatus.CANCELLED}
)


class ResourceKind(StrEnum):
    ARTICLE = "article"
    VIDEO = "video"
    COURSE = "course"
    BOOK = "book"
    TOOL = "tool"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ResourceTiming(StrEnum):
    BEFORE = "before"
    AFTER = "after"

    @property
    def label(self) -> str:
        return {ResourceTiming.BEFORE: "Before the session", ResourceTiming.AFTER: "After it"}[self]


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


class DeliveryState(StrEnum):
    PENDING = "pending"  # waiting for the mail worker (again, after a failed attempt)
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt; an organizer may retry
    SKIPPED = "skipped"  # an optional mail its recipient turned off: in the app only

    @property
    def label(self) -> str:
        return self.value.capitalize()


# Mails each person may turn off, by the User flag that says whether they want them.
OPTIONAL_MAILS = {
    NotificationKind.REMINDER: "wants_reminder_mail",
    NotificationKind.FEEDBACK_REQUEST: "wants_feedback_mail",
}


class PromotionMode(StrEnum):
    """How a freed seat reaches the waitlist."""

    AUTOMATIC = "automatic"  # the next person is signed up and told
    OFFER = "offer"  # the seat is held for them for a while; they accept or decline

    @property
    def label(self) -> str:
        return {
            PromotionMode.AUTOMATIC: "Sign the next person up automatically",
            PromotionMode.OFFER: "Offer the seat to the next person for a while",
        }[self]


class SignupStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"  # a freed seat held for a waitlisted person until the offer expires
    CANCELLED = "cancelled"
    DECLINED = "declined"
    EXPIRED = "expired"
    RUN_CANCELLED = "run_cancelled"  # kept so calendars can show the run as cancelled

    @property
    def label(self) -> str:
        return {
            SignupStatus.CONFIRMED: "Confirmed",
            SignupStatus.WAITLISTED: "On the waitlist",
            SignupStatus.OFFERED: "Seat offered",
            SignupStatus.CANCELLED: "Cancelled",
            SignupStatus.DECLINED: "Offer declined",
            SignupStatus.EXPIRED: "Offer expired",
            SignupStatus.RUN_CANCELLED: "Run cancelled",
        }[self]


# A person holds at most one of these per session; seats are held by the first two.
ACTIVE_SIGNUP_STATUSES = frozenset(
    {SignupStatus.CONFIRMED, SignupStatus.OFFERED, SignupStatus.WAITLISTED}
)
SEAT_HOLDING_STATUSES = frozenset({SignupStatus.CONFIRMED, SignupStatus.OFFERED})


class Attendance(StrEnum):
    ATTENDED = "attended"
    NO_SHOW = "no_show"

    @property
    def label(self) -> str:
        return {Attendance.ATTENDED: "Attended", Attendance.NO_SHOW: "No-show"}[self]
