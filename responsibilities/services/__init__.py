"""Services (STYLE.md): one transaction each, row lock, model transition, log, events."""

from .generation import *  # noqa: F403
from .issues import *  # noqa: F403
from .lists import *  # noqa: F403
from .pledges import *  # noqa: F403
