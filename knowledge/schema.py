"""The knowledge-base files as pydantic models: what a well-formed entry, topics file, synonyms file and scope
file hold. Checks across entries and files (duplicate ids, related ids, topics with no entry, synonym chains)
are the loader's, after these."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, StringConstraints, TypeAdapter

from bot.core.datafile_models import CONFIG, Date, Text

ENTRY_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MAX_ANSWER_CHARS = 1200


def _entry_id(value: str) -> str:
    if not ENTRY_ID.match(value):
        raise ValueError(f"{value!r}: use only lower-case letters, digits and '-'")
    return value


def _not_too_long(answer: str) -> str:
    if len(answer) > MAX_ANSWER_CHARS:
        raise ValueError(f"{len(answer)} characters; keep it under {MAX_ANSWER_CHARS}")
    return answer


def _none_as_empty(value: Any) -> Any:
    return [] if value is None else value


Texts = Annotated[list[Text], BeforeValidator(_none_as_empty)]  # a list of non-empty texts; left blank: none
Words = Annotated[list[Text], Field(min_length=1)]


class EntryModel(BaseModel):
    """One entry of entries/*.yaml."""

    model_config = CONFIG
    id: Annotated[Text, AfterValidator(_entry_id)]
    topic: Text
    question: Text
    answer: Annotated[Text, AfterValidator(_not_too_long)]
    sources: Annotated[Texts, Field(min_length=1)]
    updated: Date
    alternates: Texts = []
    keywords: Texts = []
    related: Texts = []


class ReferralModel(BaseModel):
    """An everyday topic that belongs to another office (scope.yaml)."""

    model_config = CONFIG
    topic: Text
    office: Text
    words: Words


class ScopeModel(BaseModel):
    model_config = CONFIG
    anchors: Words
    referrals: list[ReferralModel]


ENTRY = TypeAdapter(EntryModel)
TOPICS = TypeAdapter(dict[Text, dict[Text, Any]], config=CONFIG)  # category -> {topic id: description}
SYNONYMS = TypeAdapter(dict[Text, Words], config=CONFIG)  # canonical term -> its variants
SCOPE = TypeAdapter(ScopeModel)


# office.yaml (knowledge/office.py): the bureau's own details, each a text or empty until filled in
PHONE = re.compile(r"^[0-9０-９+＋()（）\-－ 、，,/转]{5,80}$")
WEBSITE = re.compile(r"^https?://[^\s]+$")


def _phone(value: str) -> str:
    if not PHONE.match(value):
        raise ValueError(f"{value!r}: use digits, spaces, '-', '、' or '转' only")
    return value


def _website(value: str) -> str:
    if not WEBSITE.match(value):
        raise ValueError(f"{value!r} must start with http:// or https://")
    return value


Short = Annotated[Text, StringConstraints(max_length=60)]
Long = Annotated[Text, StringConstraints(max_length=200)]
TOPIC_NAMES = TypeAdapter(dict[Text, Short], config=CONFIG)  # topic id -> its Chinese name


class _OfficeFile(BaseModel):
    """office.yaml: every field a text, or empty (~) until the bureau fills it."""

    model_config = CONFIG
    name: Short | None = None
    address: Long | None = None
    phone: Annotated[Short, AfterValidator(_phone)] | None = None
    hours: Long | None = None
    wechat: Short | None = None
    website: Annotated[Long, AfterValidator(_website)] | None = None


OFFICE = TypeAdapter(_OfficeFile)
