"""SQLAlchemy models, one module per feature. Schema changes go through Alembic migrations in
bot/core/migrations."""

from __future__ import annotations

from bot.core.models.base import (
    Base as Base,
)
from bot.core.models.base import (
    UTCDateTime as UTCDateTime,
)
from bot.core.models.base import (
    utcnow as utcnow,
)
from bot.core.models.console import (
    AuditLog as AuditLog,
)
from bot.core.models.console import (
    ConsoleSession as ConsoleSession,
)
from bot.core.models.console import (
    ConsoleSetting as ConsoleSetting,
)
from bot.core.models.console import (
    LoginFailure as LoginFailure,
)
from bot.core.models.console import (
    StaffAccount as StaffAccount,
)
from bot.core.models.console import (
    StaffLink as StaffLink,
)
from bot.core.models.conversation import (
    HandoffRequest as HandoffRequest,
)
from bot.core.models.conversation import (
    InboxMessage as InboxMessage,
)
from bot.core.models.conversation import (
    KbEntryVersion as KbEntryVersion,
)
from bot.core.models.conversation import (
    LearnedPhrasing as LearnedPhrasing,
)
from bot.core.models.conversation import (
    OutboxMessage as OutboxMessage,
)
from bot.core.models.conversation import (
    QuestionLog as QuestionLog,
)
from bot.core.models.indicators import (
    IndicatorValue as IndicatorValue,
)
from bot.core.models.reminders import (
    Reminder as Reminder,
)
from bot.core.models.reminders import (
    Subscription as Subscription,
)
from bot.core.models.survey import (
    SurveyResponse as SurveyResponse,
)
from bot.core.models.survey import (
    SurveyWave as SurveyWave,
)
from bot.core.models.tips import (
    Tip as Tip,
)
from bot.core.models.tips import (
    TipEvent as TipEvent,
)
from bot.core.models.tips import (
    TipPhoto as TipPhoto,
)
from bot.core.models.wechat import (
    WeChatFollower as WeChatFollower,
)
