"""Party organisational life's models, by concept (see each module's glossary)."""

from .activities import *  # noqa: F403
from .activities import CHECK_IN_OPENS_BEFORE, MEMBER_ROLES, is_member_of, required_part_codes  # noqa: F401
from .obligations import *  # noqa: F403
from .showcases import *  # noqa: F403
from .staff import *  # noqa: F403
