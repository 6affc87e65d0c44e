"""The satisfaction survey: waves and responses."""


from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.models.base import Base, UTCDateTime, utcnow


class SurveyWave(Base):
    """One round of the satisfaction survey (e.g. a quarter). Open while closed_at is empty."""

    __tablename__ = "survey_wave"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SurveyResponse(Base):
    """One person's response in one wave; where they are in the survey lives here, so a restart loses nothing."""

    __tablename__ = "survey_response"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id"))
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    respondent: Mapped[str] = mapped_column(String(64))  # salted hash: what exports show
    version: Mapped[str] = mapped_column(String(32))  # the survey definition answered
    step: Mapped[str] = mapped_column(String(16))  # consent | group | county | item | comment | done | declined
    item_index: Mapped[int] = mapped_column(Integer, default=0)
    group: Mapped[str | None] = mapped_column(String(64), nullable=True)
    county: Mapped[str | None] = mapped_column(String(64), nullable=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (UniqueConstraint("wave_id", "channel", "user_id", name="uq_survey_response_person"),)
