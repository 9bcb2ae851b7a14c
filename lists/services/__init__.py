"""Services (STYLE.md): one transaction each, row lock, model transition, log, events."""

from .generation import *  # noqa: F403
from .items import *  # noqa: F403
from .templates import *  # noqa: F403
