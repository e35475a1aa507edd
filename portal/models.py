"""Imports every model so that metadata (and Alembic) sees all tables."""

from portal.accounts.models import User  # noqa: F401
from portal.api.models import ApiToken  # noqa: F401
from portal.audit.models import AuditEvent  # noqa: F401
from portal.consultation.models import (  # noqa: F401
    Answer,
    Attachment,
    Comment,
    CommentReport,
    CommentRevision,
    Consultation,
    DraftDocument,
    Follow,
    Plan,
    PlanItem,
    Rating,
)
from portal.core.changes import ChangeOutbox  # noqa: F401
from portal.core.models import Setting  # noqa: F401
from portal.mail.models import MailMessage  # noqa: F401
from portal.ministries.models import Ministry  # noqa: F401
from portal.reform.models import Methodology, ReformScore  # noqa: F401
from portal.regulations.models import (  # noqa: F401
    DocumentRelation,
    Field,
    LegalBasis,
    LegalDocument,
    Regulation,
    RegulationEvent,
)
