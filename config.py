"""Configuration classes. This is the only module that reads the environment.

`select_config()` picks a class by `LEARNINGWEEK_ENV` (development, production or
testing); each class reads its settings when instantiated, never at import time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta

APP_PREFIX = "LEARNINGWEEK_"
SMTP_SECURITY_CHOICES = ("starttls", "tls", "none")
DEV_SECRET_KEY = "dev-insecure-secret-key-do-not-use-in-production"


class ConfigError(RuntimeError):
    """The environment does not describe a configuration the app can start with."""


def normalise_database_url(url: str) -> str:
    """Route PostgreSQL URLs to psycopg 3, the driver the project installs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    DEBUG = False
    TESTING = False

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ

        def setting(name: str, default: str) -> str:
            return env.get(APP_PREFIX + name) or default

        self.SECRET_KEY = env.get("SECRET_KEY") or None
        # A relative SQLite path is resolved by Flask-SQLAlchemy inside the instance folder.
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(
            env.get("DATABASE_URL") or "sqlite:///learningweek.sqlite"
        )
        self.SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {}
        # A pooled connection idle for longer is checked before use (see
        # learningweek.core.database.ping_when_idle); busy ones are not, saving a round trip.
        self.LEARNINGWEEK_DB_PING_AFTER_SECONDS = max(
            0, int(setting("DB_PING_AFTER_SECONDS", "10"))
        )

        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _flag(env.get(APP_PREFIX + "SECURE_COOKIES"), False)
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.REMEMBER_COOKIE_DURATION = timedelta(days=int(setting("REMEMBER_DAYS", "30")))
        self.WTF_CSRF_ENABLED = True
        # Forms left open over lunch should still submit.
        self.WTF_CSRF_TIME_LIMIT = None

        self.LEARNINGWEEK_SITE_NAME = setting("SITE_NAME", "Learning Week")
        # Host name used in calendar UIDs and absolute links in mail; must stay stable.
        self.LEARNINGWEEK_HOST_NAME = setting("HOST_NAME", "learningweek.localhost")
        self.LEARNINGWEEK_DEFAULT_TIME_ZONE = setting("DEFAULT_TIME_ZONE", "Europe/Stockholm")
        self.LEARNINGWEEK_PEOPLE_PER_PAGE = int(setting("PEOPLE_PER_PAGE", "50"))
        # Share of people who marked interest that are expected to come.
        self.LEARNINGWEEK_SHOW_UP_FACTOR = float(setting("SHOW_UP_FACTOR", "0.7"))
        # How many people must star two sessions before running them together is a clash.
        self.LEARNINGWEEK_INTEREST_CLASH_MIN = int(setting("INTEREST_CLASH_MIN", "3"))
        # Seconds the automatic scheduler may search before it reports its best schedule.
        self.LEARNINGWEEK_SCHEDULER_SECONDS = float(setting("SCHEDULER_SECONDS", "20"))
        # Teachers see feedback only once this many people answered: fewer could be told apart.
        self.LEARNINGWEEK_FEEDBACK_MIN_RESPONSES = max(
            1, int(setting("FEEDBACK_MIN_RESPONSES", "3"))
        )
        # Where people reach the app, for links in mail (which has no request to go by).
        self.LEARNINGWEEK_BASE_URL = setting("BASE_URL", "http://localhost:5000").rstrip("/")
        # Mail: without a host, messages stay in the outbox and the in-app list.
        self.LEARNINGWEEK_SMTP_HOST = setting("SMTP_HOST", "")
        self.LEARNINGWEEK_SMTP_PORT = int(setting("SMTP_PORT", "587"))
        self.LEARNINGWEEK_SMTP_SECURITY = setting("SMTP_SECURITY", "starttls")
        if self.LEARNINGWEEK_SMTP_SECURITY not in SMTP_SECURITY_CHOICES:
            # A typo must not quietly send passwords over a plain connection.
            raise ConfigError(
                f"LEARNINGWEEK_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY_CHOICES)}."
            )
        self.LEARNINGWEEK_SMTP_USER = setting("SMTP_USER", "")
        self.LEARNINGWEEK_SMTP_PASSWORD = setting("SMTP_PASSWORD", "")
        self.LEARNINGWEEK_MAIL_SENDER = setting("MAIL_SENDER", "learningweek@localhost")
        self.LEARNINGWEEK_MAIL_MAX_ATTEMPTS = max(1, int(setting("MAIL_MAX_ATTEMPTS", "5")))
        self.LEARNINGWEEK_ALLOW_REGISTRATION = _flag(
            env.get(APP_PREFIX + "ALLOW_REGISTRATION"), True
        )


class DevelopmentConfig(Config):
    """Local development: a SQLite file in the instance folder and a loud dev key."""

    ENV_NAME = "development"
    DEBUG = True

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        super().__init__(environ)
        self.USING_DEV_SECRET_KEY = self.SECRET_KEY is None
        if self.SECRET_KEY is None:
            self.SECRET_KEY = DEV_SECRET_KEY


class TestingConfig(Config):
    """The test suite: in-memory SQLite unless TEST_DATABASE_URL says otherwise."""

    ENV_NAME = "testing"
    TESTING = True
    __test__ = False  # not a pytest test class, despite its name

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        super().__init__(environ)
        env = os.environ if environ is None else environ
        self.SECRET_KEY = "testing-secret-key"
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(
            env.get("TEST_DATABASE_URL") or "sqlite://"
        )
        self.WTF_CSRF_ENABLED = False


class ProductionConfig(Config):
    """Production: refuses to start without a secret key and a database URL."""

    ENV_NAME = "production"

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        super().__init__(environ)
        env = os.environ if environ is None else environ
        if not self.SECRET_KEY:
            raise ConfigError(
                "SECRET_KEY is not set. Production refuses to start without it: set SECRET_KEY "
                "to a long random value, e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`."
            )
        if not env.get("DATABASE_URL"):
            raise ConfigError(
                "DATABASE_URL is not set. Production needs a real database, e.g. "
                "postgresql://user:password@db-host/learningweek."
            )
        self.SESSION_COOKIE_SECURE = _flag(env.get(APP_PREFIX + "SECURE_COOKIES"), True)
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.SQLALCHEMY_ENGINE_OPTIONS = {
            "pool_size": int(env.get(APP_PREFIX + "DB_POOL_SIZE") or "5"),
        }


CONFIGS: dict[str, type[Config]] = {
    cls.ENV_NAME: cls for cls in (DevelopmentConfig, TestingConfig, ProductionConfig)
}


def select_config(environ: Mapping[str, str] | None = None) -> Config:
    """Build the config named by LEARNINGWEEK_ENV (default: development)."""
    env = os.environ if environ is None else environ
    name = (env.get(APP_PREFIX + "ENV") or "development").strip().lower()
    try:
        config_class = CONFIGS[name]
    except KeyError:
        known = ", ".join(sorted(CONFIGS))
        raise ConfigError(f"{APP_PREFIX}ENV={name!r} is not one of: {known}.") from None
    return config_class(env)
