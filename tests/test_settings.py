"""Settings are parsed strictly from the environment."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROD_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k3V9-qzT7_wL2mX8pR4nB6yH1cF5dJ0sA9eG3uK7iO2tZ8vN4xQ6",
    "ALLOWED_HOSTS": "dutyflow.example.gov.cn",
    "DATABASE_URL": "postgresql://dutyflow@127.0.0.1:5432/dutyflow",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "AUDIT_KEY": "Zq8-rT3_vY6pL1mW9xK4cN7bH2sF5dJ0aG",
}


def run_django(args, env_overrides, drop=()):
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith(("DJANGO_", "DEBUG"))}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_bad_boolean_is_a_clear_error():
    result = run_django(["check"], {"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_production_without_secret_key_is_refused():
    env = dict(PROD_ENV)
    del env["SECRET_KEY"]
    result = run_django(["check"], env, drop=("SECRET_KEY",))
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DJANGO_ENV=production" in result.stderr


def test_production_without_audit_key_is_refused():
    env = dict(PROD_ENV)
    del env["AUDIT_KEY"]
    result = run_django(["check"], env, drop=("AUDIT_KEY", "AUDIT_KEY_FILE"))
    assert result.returncode != 0
    assert "AUDIT_KEY (or AUDIT_KEY_FILE) must be set when DJANGO_ENV=production" in result.stderr


def test_weak_production_audit_key_is_refused():
    result = run_django(["check"], {**PROD_ENV, "AUDIT_KEY": "a" * 40}, drop=("AUDIT_KEY_FILE",))
    assert result.returncode != 0
    assert "AUDIT_KEY must be a random value" in result.stderr


def test_production_reads_the_audit_key_from_a_file(tmp_path):
    key_file = tmp_path / "audit_key"
    key_file.write_text("Zq8-rT3_vY6pL1mW9xK4cN7bH2sF5dJ0aG\n")
    env = {k: v for k, v in PROD_ENV.items() if k != "AUDIT_KEY"}
    result = run_django(["check"], {**env, "AUDIT_KEY_FILE": str(key_file)}, drop=("AUDIT_KEY",))
    assert result.returncode == 0, result.stderr


def test_an_unreadable_audit_key_file_is_a_clear_error(tmp_path):
    env = {k: v for k, v in PROD_ENV.items() if k != "AUDIT_KEY"}
    result = run_django(["check"], {**env, "AUDIT_KEY_FILE": str(tmp_path / "missing")}, drop=("AUDIT_KEY",))
    assert result.returncode != 0
    assert "AUDIT_KEY_FILE cannot be read" in result.stderr


def test_production_without_allowed_hosts_is_refused():
    env = dict(PROD_ENV)
    del env["ALLOWED_HOSTS"]
    result = run_django(["check"], env, drop=("ALLOWED_HOSTS",))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_production_without_database_url_is_refused():
    env = dict(PROD_ENV)
    del env["DATABASE_URL"]
    result = run_django(["check"], env)
    assert result.returncode != 0
    assert "DATABASE_URL must be set" in result.stderr


def test_unknown_environment_name_is_refused():
    result = run_django(["check"], {"DJANGO_ENV": "prod"})
    assert result.returncode != 0
    assert "DJANGO_ENV='prod' must be one of" in result.stderr


def test_check_deploy_is_clean_in_production():
    result = run_django(["check", "--deploy", "--fail-level", "WARNING"], PROD_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_embedded_default_is_sqlite_and_eager_celery():
    result = run_django(
        [
            "shell",
            "--no-imports",
            "-v",
            "0",
            "-c",
            "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.LANGUAGE_CODE, s.TIME_ZONE)",
        ],
        {},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "zh-hans", "Asia/Shanghai"]


@pytest.mark.django_db
def test_migrations_are_current():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)


def test_weak_production_secret_key_is_refused():
    result = run_django(["check"], {**PROD_ENV, "SECRET_KEY": "x" * 64})
    assert result.returncode != 0
    assert "SECRET_KEY must be a random value" in result.stderr


def test_local_secret_key_is_readable_by_its_owner_only(tmp_path):
    from config.env import local_secret_key

    path = tmp_path / "var" / "secret_key"
    key = local_secret_key(path)
    assert len(key) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert local_secret_key(path) == key
    assert list(path.parent.iterdir()) == [path]


def test_local_secret_key_left_open_is_closed(tmp_path):
    from config.env import local_secret_key

    path = tmp_path / "secret_key"
    path.write_text("an-older-secret")
    path.chmod(0o644)
    assert local_secret_key(path) == "an-older-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_token_idle_hours_must_be_positive():
    result = run_django(["check"], {"API_TOKEN_IDLE_HOURS": "0"})
    assert result.returncode != 0
    assert "API_TOKEN_IDLE_HOURS=0 must be at least 1" in result.stderr


def test_token_idle_hours_come_from_the_environment():
    code = "from django.conf import settings; print(settings.REST_KNOX['TOKEN_TTL'])"
    result = run_django(["shell", "-c", code], {"API_TOKEN_IDLE_HOURS": "8"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("\n8:00:00")


@pytest.mark.parametrize("raw", ["soon", "-1", "nan", "inf"])
def test_bad_seconds_are_a_clear_error(monkeypatch, raw):
    from django.core.exceptions import ImproperlyConfigured

    from config.env import env_seconds

    monkeypatch.setenv("AUDIT_CHECKPOINT_GRACE_SECONDS", raw)
    with pytest.raises(ImproperlyConfigured, match="is not a number of seconds"):
        env_seconds("AUDIT_CHECKPOINT_GRACE_SECONDS", default=1.0)


@pytest.mark.parametrize(("raw", "seconds"), [(None, 1.0), ("0", 0.0), ("0.25", 0.25), ("3", 3.0)])
def test_seconds_from_the_environment(monkeypatch, raw, seconds):
    from config.env import env_seconds

    if raw is None:
        monkeypatch.delenv("AUDIT_CHECKPOINT_GRACE_SECONDS", raising=False)
    else:
        monkeypatch.setenv("AUDIT_CHECKPOINT_GRACE_SECONDS", raw)
    assert env_seconds("AUDIT_CHECKPOINT_GRACE_SECONDS", default=1.0) == seconds
