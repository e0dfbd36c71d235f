"""Config classes and the app factory."""

import logging

import pytest

from config import (
    DEV_SECRET_KEY,
    ConfigError,
    DevelopmentConfig,
    ProductionConfig,
    TestingConfig,
    normalise_database_url,
    select_config,
)
from learningweek import create_app

PRODUCTION_ENV = {"SECRET_KEY": "s" * 64, "DATABASE_URL": "postgresql://db/learningweek"}


def test_production_refuses_to_start_without_secret_key():
    environ = {"DATABASE_URL": "postgresql://db/learningweek"}

    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        ProductionConfig(environ)


def test_production_refuses_to_start_without_database_url():
    with pytest.raises(ConfigError, match="DATABASE_URL is not set"):
        ProductionConfig({"SECRET_KEY": "s" * 64})


def test_factory_refuses_production_without_secret_key():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(select_config({"LEARNINGWEEK_ENV": "production"}))


def test_production_uses_secure_cookies_and_psycopg():
    config = ProductionConfig(PRODUCTION_ENV)

    assert config.SESSION_COOKIE_SECURE is True
    assert config.REMEMBER_COOKIE_SECURE is True
    assert config.SESSION_COOKIE_SAMESITE == "Lax"
    assert config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://db/learningweek"


def test_development_falls_back_to_dev_key_and_instance_sqlite():
    config = DevelopmentConfig({})

    assert config.SECRET_KEY == DEV_SECRET_KEY
    assert config.USING_DEV_SECRET_KEY is True
    assert config.SQLALCHEMY_DATABASE_URI == "sqlite:///learningweek.sqlite"


def test_factory_warns_loudly_about_dev_key(caplog):
    with caplog.at_level(logging.WARNING):
        app = create_app(DevelopmentConfig({}))

    assert app.config["SECRET_KEY"] == DEV_SECRET_KEY
    assert "INSECURE development key" in caplog.text


def test_factory_puts_default_sqlite_file_in_instance_folder():
    app = create_app(DevelopmentConfig({}))

    with app.app_context():
        from learningweek.extensions import db

        assert db.engine.url.database == f"{app.instance_path}/learningweek.sqlite"
        db.engine.dispose()


@pytest.mark.parametrize(
    ("name", "expected"),
    [("development", DevelopmentConfig), ("testing", TestingConfig), ("", DevelopmentConfig)],
    ids=["development", "testing", "default"],
)
def test_select_config_by_environment(name, expected):
    assert type(select_config({"LEARNINGWEEK_ENV": name})) is expected


def test_select_config_rejects_unknown_environment():
    with pytest.raises(ConfigError, match="'staging' is not one of"):
        select_config({"LEARNINGWEEK_ENV": "staging"})


def test_app_settings_are_read_under_one_prefix():
    config = DevelopmentConfig(
        {"LEARNINGWEEK_SITE_NAME": "Acme Learning Week", "LEARNINGWEEK_HOST_NAME": "lw.acme.test"}
    )

    assert config.LEARNINGWEEK_SITE_NAME == "Acme Learning Week"
    assert config.LEARNINGWEEK_HOST_NAME == "lw.acme.test"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
    ids=["heroku-style", "plain", "explicit-driver", "sqlite"],
)
def test_database_urls_use_psycopg3(url, expected):
    assert normalise_database_url(url) == expected


def test_factory_accepts_class_or_instance(database_url):
    app = create_app(TestingConfig)

    assert app.config["TESTING"] is True
    assert set(app.blueprints) >= {"accounts", "editions"}
