from .issues import *  # noqa: F403
from .lists import *  # noqa: F403
