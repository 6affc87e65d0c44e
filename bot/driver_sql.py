"""SQLAlchemy Core statements compiled once and run straight on the database driver's connection.

For the few statements that run for every message: SQLAlchemy's execution machinery (session, connection,
execution context, result) costs about ten times what SQLite itself spends on such a statement. The
statement is still written with SQLAlchemy (one definition, every dialect); only its execution is direct.
Values go through each column type's own bind processing, so what is stored is what the ORM would store.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Engine
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


class DriverStatement:
    """One statement, compiled for one dialect; `params` turns named values into what the driver takes."""

    def __init__(self, statement: ClauseElement, dialect: Dialect, column_keys: Sequence[str] | None = None) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect,
                                                       column_keys=list(column_keys) if column_keys else None))
        self.sql = compiled.string
        self._defaults: dict[str, Any] = dict(compiled.params)  # the values written into the statement itself
        self._order: list[str] | None = list(compiled.positiontup) if compiled.positional and \
            compiled.positiontup is not None else None
        self._required = frozenset(name for name, bind in compiled.binds.items() if bind.required)
        self._processors: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self._processors[name] = processor

    def params(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        unknown, missing = values.keys() - self._defaults.keys(), self._required - values.keys()
        if unknown or missing:
            raise KeyError(f"parameters not of this statement: {sorted(unknown)}; missing: {sorted(missing)}")
        merged = {**self._defaults, **values}
        for name, processor in self._processors.items():
            merged[name] = processor(merged[name])
        if self._order is None:
            return merged
        return tuple(merged[name] for name in self._order)


class DriverTransaction:
    """A DBAPI cursor inside one transaction."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def scalar(self, statement: DriverStatement, values: Mapping[str, Any]) -> Any:
        """The first column of the first row, or None."""
        self.cursor.execute(statement.sql, statement.params(values))
        row = self.cursor.fetchone()
        return None if row is None else row[0]


@contextlib.contextmanager
def transaction(engine: Engine) -> Iterator[DriverTransaction]:
    """A pooled driver connection in a transaction: committed when the block ends normally, rolled back when
    it raises (or when the caller raises Rollback). SQLite starts it with BEGIN IMMEDIATE like every other
    transaction of the bot (bot/db.py), so a read followed by a write cannot deadlock."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("BEGIN IMMEDIATE")
        try:
            yield DriverTransaction(cursor)
        except Rollback:
            connection.rollback()
        except BaseException:
            connection.rollback()
            raise
        else:
            connection.commit()
        finally:
            cursor.close()
    finally:
        connection.close()  # back to the pool


class Rollback(Exception):
    """Raised inside `transaction` to end it without committing and without an error."""
