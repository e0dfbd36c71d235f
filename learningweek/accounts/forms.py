"""Account forms: shape checks only; the services decide the rest."""

from __future__ import annotations

from dataclasses import replace

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional

from learningweek.accounts.models import DEPARTMENT_MAX_LENGTH, EMAIL_MAX_LENGTH, NAME_MAX_LENGTH
from learningweek.accounts.services import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, ProfileData
from learningweek.web.forms import single_line

PASSWORD_RULE = f"At least {PASSWORD_MIN_LENGTH} characters."


def _new_password_field(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            InputRequired(),
            Length(
                min=PASSWORD_MIN_LENGTH,
                max=PASSWORD_MAX_LENGTH,
                message=f"Use at least {PASSWORD_MIN_LENGTH} characters.",
            ),
        ],
        description=PASSWORD_RULE,
    )


class ProfileForm(FlaskForm):
    """Name, department and email."""

    email = EmailField(
        "Email",
        validators=[
            InputRequired(),
            Email(check_deliverability=False),
            Length(max=EMAIL_MAX_LENGTH),
        ],
        filters=[single_line],
    )
    display_name = StringField(
        "Name", validators=[InputRequired(), Length(max=NAME_MAX_LENGTH)], filters=[single_line]
    )
    department = StringField(
        "Department",
        validators=[Optional(), Length(max=DEPARTMENT_MAX_LENGTH)],
        filters=[single_line],
    )

    def profile_data(self) -> ProfileData:
        return ProfileData(
            email=self.email.data,
            display_name=self.display_name.data,
            department=self.department.data or "",
        )


class AccountForm(ProfileForm):
    """The profile with the optional mails one wants."""

    wants_reminder_mail = BooleanField("Mail me a reminder the day before a session")
    wants_feedback_mail = BooleanField("Mail me a request for feedback after a session")

    def profile_data(self) -> ProfileData:
        """The profile and mail choices as the service takes them."""
        return replace(
            super().profile_data(),
            wants_reminder_mail=self.wants_reminder_mail.data,
            wants_feedback_mail=self.wants_feedback_mail.data,
        )


class RegistrationForm(ProfileForm):
    """Create an account."""

    password = _new_password_field("Password")
    confirm = PasswordField(
        "Repeat password",
        validators=[InputRequired(), EqualTo("password", message="The passwords do not match.")],
    )


class LoginForm(FlaskForm):
    """Log in with email and password."""

    email = EmailField("Email", validators=[InputRequired()], filters=[single_line])
    password = PasswordField("Password", validators=[InputRequired()])
    remember = BooleanField("Keep me logged in on this device")
    next = HiddenField()


class PasswordForm(FlaskForm):
    """Change one's password."""

    current_password = PasswordField("Current password", validators=[InputRequired()])
    new_password = _new_password_field("New password")
    confirm = PasswordField(
        "Repeat new password",
        validators=[
            InputRequired(),
            EqualTo("new_password", message="The passwords do not match."),
        ],
    )
