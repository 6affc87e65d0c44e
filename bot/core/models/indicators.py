"""Plan indicators: recorded figures."""


from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Float,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.models.base import Base, UTCDateTime, utcnow


class IndicatorValue(Base):
    """A plan indicator's value for a period (a year, 2024, or a quarter, 2025Q3), with where it comes from.
    Rows are only added: the newest row of an indicator and period is its value; older ones are the record of
    corrections."""

    __tablename__ = "indicator_value"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(8))  # 2024 | 2025Q3
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(160))  # telegram:123, cli
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (Index("ix_indicator_value_indicator", "indicator_id", "period", "id"),)
