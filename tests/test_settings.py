"""Settings from the environment: a secret may come from the file `<NAME>_FILE` names
(systemd credentials, container secrets); both ways at once, a file that cannot be read, a
mail relay's TLS mode that is not one, or a required key given neither way, and the service
does not start, saying which setting and why."""

import os

import pytest

from outreach import config, create_app


@pytest.fixture
def environment(monkeypatch):
    """A production environment without any of Outreach's settings."""
    for name in list(os.environ):
        if name.startswith("OUTREACH_"):
            monkeypatch.delenv(name)
    return monkeypatch


def test_each_secret_may_come_from_a_file(environment, tmp_path):
    for name in config.SECRETS:
        path = tmp_path / name
        path.write_text(f"hemligt-{name}\n")  # as `echo` writes it: the line break is not part
        environment.setenv(f"{name}_FILE", str(path))
    environment.setenv("OUTREACH_DATABASE_URL_FILE", str(tmp_path / "url"))
    (tmp_path / "url").write_text("postgresql://outreach:lösen@db.kommun.se/outreach\n")
    settings = config.from_environment()
    assert settings["SECRET_KEY"] == "hemligt-OUTREACH_SECRET_KEY"
    assert settings["FIELD_KEY"] == "hemligt-OUTREACH_FIELD_KEY"
    assert settings["FIELD_KEYS_RETIRED"] == ("hemligt-OUTREACH_FIELD_KEYS_RETIRED",)
    assert settings["SMTP_PASSWORD"] == "hemligt-OUTREACH_SMTP_PASSWORD"
    assert settings["METRICS_TOKEN"] == "hemligt-OUTREACH_METRICS_TOKEN"
    assert settings["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://outreach:lösen@db.kommun.se/outreach"
    )


def test_a_secret_file_written_with_a_bom_and_retired_keys_one_a_line(environment, tmp_path):
    (tmp_path / "key").write_text("\ufeffnyckel\r\n", encoding="utf-8")
    (tmp_path / "retired").write_text("gammal-1\ngammal-2\n")
    environment.setenv("OUTREACH_SECRET_KEY_FILE", str(tmp_path / "key"))
    environment.setenv("OUTREACH_FIELD_KEYS_RETIRED_FILE", str(tmp_path / "retired"))
    settings = config.from_environment()
    assert settings["SECRET_KEY"] == "nyckel"
    assert settings["FIELD_KEYS_RETIRED"] == ("gammal-1", "gammal-2")


def test_a_secret_given_both_ways_is_refused(environment, tmp_path):
    (tmp_path / "pw").write_text("ett")
    environment.setenv("OUTREACH_SMTP_PASSWORD", "två")
    environment.setenv("OUTREACH_SMTP_PASSWORD_FILE", str(tmp_path / "pw"))
    with pytest.raises(config.SettingError, match="OUTREACH_SMTP_PASSWORD and OUTREACH_SMTP_"):
        config.from_environment()


def test_a_secret_file_that_cannot_be_read_is_refused(environment, tmp_path):
    environment.setenv("OUTREACH_SECRET_KEY_FILE", str(tmp_path / "saknas"))
    with pytest.raises(config.SettingError, match="saknas, which cannot be read: No such file"):
        config.from_environment()


def test_a_tls_mode_that_is_not_one_is_refused(environment):
    environment.setenv("OUTREACH_SMTP_TLS", "ssl")
    with pytest.raises(config.SettingError, match="OUTREACH_SMTP_TLS is 'ssl': it must be one of"):
        config.from_environment()
    environment.setenv("OUTREACH_SMTP_TLS", " STARTTLS ")
    assert config.from_environment()["SMTP_TLS"] == "starttls"


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({}, "OUTREACH_SECRET_KEY (or OUTREACH_SECRET_KEY_FILE) is not set"),
        ({"OUTREACH_SECRET_KEY": "k" * 48}, "OUTREACH_FIELD_KEY (or OUTREACH_FIELD_KEY_FILE)"),
    ],
)
def test_a_required_key_given_neither_way_stops_the_start(environment, given, named):
    for name, value in given.items():
        environment.setenv(name, value)
    with pytest.raises(RuntimeError, match=named.replace("(", r"\(").replace(")", r"\)")):
        create_app()
