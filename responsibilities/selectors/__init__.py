from .issues import *  # noqa: F403
from .lists import *  # noqa: F403
from .pages import *  # noqa: F403
from .pledges import *  # noqa: F403
