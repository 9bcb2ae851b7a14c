"""Domain models: monthly lists and items (lists.py); pledges and livelihood issues alongside."""

from .issues import *  # noqa: F403
from .lists import *  # noqa: F403
from .pledges import *  # noqa: F403
from .processes import *  # noqa: F403
