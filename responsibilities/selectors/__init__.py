from .lists import *  # noqa: F403
