"""Services (STYLE.md): one transaction each, row lock, model transition, log, events."""

from .lists import *  # noqa: F403
from .pledges import *  # noqa: F403
