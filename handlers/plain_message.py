"""The common case, kept cheap: a person with no open handoff and no unfinished survey types a question
(or a greeting).

Most messages are this. Their three statements (is a handoff open? is a survey under way? log the question)
run straight on the driver's connection (bot/driver_sql.py) in one transaction, instead of through an ORM
session: the same statements and the same rows, at a tenth of the cost. Anything else — a handoff or a
survey in progress, a request for a person — is declined here (None) and takes the router's full path, which
then sees the database exactly as before.
"""

from __future__ import annotations

from sqlalchemy import Engine

from bot import driver_sql
from bot.driver_sql import DriverStatement, DriverTransaction
from handlers import ask, handoff, question_log, smalltalk, survey
from handlers.types import Incoming, Reply
from knowledge.engine import Result, SearchEngine
from knowledge.loader import Entry


class PlainMessages:
    def __init__(self, engine: Engine, with_survey: bool) -> None:
        dialect = engine.dialect
        self.engine = engine
        self.with_survey = with_survey
        self._open_handoff = DriverStatement(handoff.OPEN_ID, dialect)
        self._active_survey = DriverStatement(survey.ACTIVE_ID, dialect)
        self._insert_question = DriverStatement(question_log.INSERT, dialect, question_log.COLUMNS)

    def handle(self, search: SearchEngine, incoming: Incoming, message: str) -> list[Reply] | None:
        """The replies, or None when this is not the common case (nothing is written then)."""
        who = {"channel": incoming.channel, "user_id": incoming.user_id}
        with driver_sql.transaction(self.engine) as transaction:
            if transaction.scalar(self._open_handoff, who) is not None:
                raise driver_sql.Rollback
            if self.with_survey and transaction.scalar(self._active_survey, who) is not None:
                raise driver_sql.Rollback
            kind = smalltalk.classify(message) if len(message) <= smalltalk.MAX_CHARS else None
            if kind is smalltalk.Kind.HANDOFF:
                raise driver_sql.Rollback
            if kind is not None:
                return [smalltalk.reply(kind)]
            return ask.ask(self._logger(transaction), search, incoming, message)
        return None

    def _logger(self, transaction: DriverTransaction) -> question_log.Logger:
        def log(incoming: Incoming, text: str, result: Result | None, reason: str | None,
                entry: Entry | None) -> int:
            values = question_log.row_values(incoming, text, result, reason, entry)
            return int(transaction.scalar(self._insert_question, values))

        return log
