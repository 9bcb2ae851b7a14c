"""Strict environment parsing.

django-environ treats any unknown string as False for booleans; a typo in a production
setting must fail loudly instead, so booleans and choices are parsed here.
"""

import os
import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, *, default: bool) -> bool:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use one of true/false, yes/no, on/off, 1/0.")


def env_choice(name: str, *, choices: tuple[str, ...], default: str) -> str:
    value = env.str(name, default=default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of: {', '.join(choices)}.")
    return value


def env_int(name: str, *, default: int) -> int:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None


def env_seconds(name: str, *, default: float) -> float:
    """A non-negative number of seconds (fractions allowed)."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number of seconds (e.g. 0.5).")
    return value


def env_required(name: str, *, reason: str) -> str:
    value = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set {reason}.")
    return value


def local_secret_key(path: Path) -> str:
    """The development secret kept in ``path``, generated on first use; only its owner may
    read it (0600, also when an older file was more open)."""
    path.parent.mkdir(exist_ok=True)
    if not path.exists():
        # written aside, then linked into place: a process starting at the same moment reads
        # either no file or the whole secret, and the first secret wins
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(64))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    elif path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return path.read_text().strip()
