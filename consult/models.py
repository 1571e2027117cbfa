"""Imports every domain's models, so that metadata (create_all, Alembic) sees all tables."""

from .accounts import models as accounts_models  # noqa: F401
from .audit import models as audit_models  # noqa: F401
from .numbering import Counter  # noqa: F401
from .recommendations import models as recommendations_models  # noqa: F401
from .settings import CouncilSetting  # noqa: F401
from .votes import models as votes_models  # noqa: F401
