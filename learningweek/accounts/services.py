"""Account rules: registration, authentication, profile, roles and deactivation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from learningweek.accounts.models import User, normalise_email
from learningweek.core.database import DbSession, unique_or_raise
from learningweek.core.errors import DomainError, NotAllowed

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 1024
GENERIC_LOGIN_ERROR = "Invalid email or password."
EMAIL_TAKEN = "An account with this email already exists."


class EmailTaken(DomainError):
    """Another account already uses this email address."""


class InvalidCredentials(DomainError):
    """Email or password is wrong; deliberately vague."""


class AccountInactive(DomainError):
    """The account was deactivated by an organizer."""


class LastOrganizer(DomainError):
    """The action would leave the app without an active organizer."""


@dataclass(frozen=True)
class ProfileData:
    email: str
    display_name: str
    department: str
    wants_reminder_mail: bool = True
    wants_feedback_mail: bool = True


def hash_password(password: str) -> str:
    """Hash with werkzeug's default KDF (scrypt)."""
    return generate_password_hash(password)


@cache
def _decoy_hash() -> str:
    return hash_password("decoy password for unknown accounts")


def find_user_by_email(db_session: DbSession, email: str) -> User | None:
    """The account with this email, compared case-insensitively."""
    return db_session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def is_email_taken(db_session: DbSession, email: str, *, excluding: User | None = None) -> bool:
    """Whether another account already uses this email."""
    query = sa.select(User.id).where(User.email == normalise_email(email))
    if excluding is not None:
        query = query.where(User.id != excluding.id)
    return db_session.scalar(query) is not None


def register_user(
    db_session: DbSession,
    profile: ProfileData,
    *,
    password: str,
    is_organizer: bool = False,
) -> User:
    """Create an account; the unique index on email is the final word on duplicates."""
    return _add_user(db_session, profile, hash_password(password), is_organizer=is_organizer)


def register_users(
    db_session: DbSession, profiles: Iterable[ProfileData], *, password: str
) -> list[User]:
    """Create many employee accounts sharing one first password (imports, demo data).

    The password is hashed once: a deliberately slow hash per account would make
    large imports take minutes.
    """
    password_hash = hash_password(password)
    return [_add_user(db_session, profile, password_hash) for profile in profiles]


def _add_user(
    db_session: DbSession, profile: ProfileData, password_hash: str, *, is_organizer: bool = False
) -> User:
    if is_email_taken(db_session, profile.email):
        raise EmailTaken(EMAIL_TAKEN, field="email")
    user = User(
        email=profile.email,
        display_name=profile.display_name.strip(),
        department=profile.department.strip(),
        password_hash=password_hash,
        is_organizer=is_organizer,
    )
    with unique_or_raise(db_session, EmailTaken(EMAIL_TAKEN, field="email")):
        db_session.add(user)
    return user


def authenticate(db_session: DbSession, email: str, password: str) -> User:
    """The account these credentials belong to.

    An unknown email still costs one hash check, so response times do not reveal
    which addresses have accounts. Only someone who knows the password learns that
    the account is deactivated.
    """
    user = find_user_by_email(db_session, email)
    if user is None:
        check_password_hash(_decoy_hash(), password)
        raise InvalidCredentials(GENERIC_LOGIN_ERROR)
    if not check_password_hash(user.password_hash, password):
        raise InvalidCredentials(GENERIC_LOGIN_ERROR)
    if not user.is_active:
        raise AccountInactive("This account has been deactivated. Ask an organizer to restore it.")
    return user


def update_profile(db_session: DbSession, user: User, profile: ProfileData) -> None:
    """Change name, department and email (which must stay unique)."""
    if is_email_taken(db_session, profile.email, excluding=user):
        raise EmailTaken(EMAIL_TAKEN, field="email")
    with unique_or_raise(db_session, EmailTaken(EMAIL_TAKEN, field="email")):
        user.email = profile.email
        user.display_name = profile.display_name.strip()
        user.department = profile.department.strip()
        user.wants_reminder_mail = profile.wants_reminder_mail
        user.wants_feedback_mail = profile.wants_feedback_mail


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    """Replace the password and log the user out of every other session and device."""
    if not check_password_hash(user.password_hash, current_password):
        raise DomainError("Your current password is not correct.", field="current_password")
    user.password_hash = hash_password(new_password)
    user.login_generation += 1


def _lock_active_organizers(db_session: DbSession) -> list[User]:
    # Locking every active organizer row serialises concurrent demotions on
    # PostgreSQL, so two organizers cannot remove each other at the same moment.
    # SQLite serialises writers itself.
    query = (
        sa.select(User).where(User.is_organizer, User.is_active).order_by(User.id).with_for_update()
    )
    return list(db_session.scalars(query))


def _ensure_other_active_organizer(db_session: DbSession, user: User, action: str) -> None:
    organizers = _lock_active_organizers(db_session)
    if user in organizers and len(organizers) == 1:
        raise LastOrganizer(
            f"{user.display_name} is the last active organizer; {action} would leave nobody "
            "who can run the Learning Week. Make someone else an organizer first."
        )


def set_organizer(
    db_session: DbSession, user: User, is_organizer: bool, *, actor: User, now: datetime
) -> None:
    """Grant or revoke the organizer role; the last active organizer keeps it."""
    if not actor.is_organizer:
        raise NotAllowed("Only organizers can change roles.")
    if not is_organizer:
        _ensure_other_active_organizer(db_session, user, "revoking the role")
    user.is_organizer = is_organizer


def set_active(
    db_session: DbSession, user: User, is_active: bool, *, actor: User, now: datetime
) -> None:
    """Deactivate or reactivate an account. Deactivating ends its logins and gives up its
    seats and waitlist places in runs to come (the next people waiting get them, and
    everyone is told); the runs it teaches stay for organizers to move or cancel. Its
    personal calendar feed stops answering."""
    if not actor.is_organizer:
        raise NotAllowed("Only organizers can deactivate accounts.")
    if not is_active:
        if user.id == actor.id:
            raise NotAllowed("You cannot deactivate your own account.")
        if user.is_active:
            # Imported here: sign-ups build on accounts, not the other way round.
            from learningweek.signups.services import release_signups_of

            # First, before anything writes the person's row: the sign-up lock order is
            # runs, then people (in one statement, by id), and a cancellation promoting
            # this person holds a run. The organizers the last-organizer rule reads are
            # among those people, so two organizers deactivating each other queue.
            organizers = (
                db_session.scalars(sa.select(User.id).where(User.is_organizer, User.is_active))
                if user.is_organizer
                else ()
            )
            release_signups_of(db_session, user, now=now, also_lock=organizers)
        if user.is_organizer:
            _ensure_other_active_organizer(db_session, user, "deactivating the account")
        user.login_generation += 1
    user.is_active = is_active


def make_organizer(db_session: DbSession, email: str, *, password: str | None, name: str) -> User:
    """Promote the account with this email, or create it as an organizer (the CLI's job)."""
    user = find_user_by_email(db_session, email)
    if user is None:
        if password is None:
            raise DomainError("A password is needed to create a new account.", field="password")
        profile = ProfileData(email=email, display_name=name, department="")
        return register_user(db_session, profile, password=password, is_organizer=True)
    user.is_organizer = True
    user.is_active = True
    return user


def search_people(search: str = "", *, role: str = "") -> sa.Select[tuple[User]]:
    """People matching a search over name, email and department, ordered by name."""
    query = sa.select(User)
    term = search.strip().lower()
    if term:
        query = query.where(
            sa.or_(
                sa.func.lower(User.display_name).contains(term, autoescape=True),
                User.email.contains(term, autoescape=True),
                sa.func.lower(User.department).contains(term, autoescape=True),
            )
        )
    if role == "organizers":
        query = query.where(User.is_organizer)
    elif role == "inactive":
        query = query.where(sa.not_(User.is_active))
    return query.order_by(sa.func.lower(User.display_name), User.id)


def load_user(db_session: DbSession, login_id: str) -> User | None:
    """The active user a login id (`<user id>:<generation>`) still stands for."""
    user_id, _, generation = login_id.partition(":")
    if not (user_id.isdigit() and generation.isdigit()):
        return None
    user = db_session.get(User, int(user_id))
    if user is None or not user.is_active or user.login_generation != int(generation):
        return None
    return user
