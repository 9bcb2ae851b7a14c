from .items import *  # noqa: F403
from .pages import *  # noqa: F403
