"""Monthly lists and their items, evidence, comments, extension requests and templates; their flows' processes."""

from .items import *  # noqa: F403
from .processes import *  # noqa: F403
