"""WeChat template messages (模板消息): how a proactive message reaches a follower who has not written for 48
hours, when the office chose a template for its kind. The choice is data (IPBOT_WECHAT_TEMPLATES, a YAML file
the office edits), checked on load with every problem at its file and line:

    version: 1
    templates:
      reminder:                      # reminders and deadline reminders
        template_id: "abcDEF123…"    # 公众平台 → 模板消息 → 我的模板: the template's id
        fields:                      # the template's {{name.DATA}} fields, each filled from placeholders
          thing1: "{summary}"
          time2: "{time}"
      tip_status: …                  # news of a report's status
      survey_invite: …               # an invitation to the satisfaction survey

Placeholders: {summary} (the message's first line), {text} (the whole message), {kind} (提醒, 举报进展,
满意度调查邀请), {time} (when it is sent, local time); anything else is written as it stands. WeChat refuses
a value over its field type's limit (a `thing` holds 20 characters, a `phrase` 5, a `character_string` 32
letters or digits): values are shortened to fit, ending in "…".
"""

from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, TypeAdapter

from bot.channels import wechat_texts as text
from bot.core.datafile import Collector, DataFileError, read_yaml
from bot.core.datafile_models import CONFIG, Text, validate
from bot.core.messages import KINDS, REMINDER, SURVEY_INVITE, TIP_STATUS

PLACEHOLDERS = ("summary", "text", "kind", "time")
FIELD_NAME = re.compile(r"^[a-z_]+[0-9]*$")
# WeChat's limits by field type (the name without its number): characters a value may hold
LIMITS = {"thing": 20, "phrase": 5, "character_string": 32, "number": 32, "letter": 32, "symbol": 5, "name": 10,
          "car_number": 8, "phone_number": 17}


def _placeholders(value: str) -> str:
    try:
        names = [name for _literal, name, _spec, _conv in string.Formatter().parse(value) if name is not None]
    except ValueError as exc:
        raise ValueError(f"{value!r}: {exc} (write {{ and }} only around a placeholder)") from exc
    unknown = [name for name in names if name not in PLACEHOLDERS]
    if unknown:
        raise ValueError(f"unknown placeholder {{{unknown[0]}}}: use " + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS))
    return value


def _field_names(fields: dict[str, str]) -> dict[str, str]:
    for name in fields:
        if not FIELD_NAME.match(name):
            raise ValueError(f"{name!r} is not a template field name (like thing1 or time2, as in the template)")
    return fields


class _Template(BaseModel):
    model_config = CONFIG
    template_id: Text
    url: Text | None = None  # opened when the follower taps the message
    fields: Annotated[dict[str, Annotated[Text, AfterValidator(_placeholders)]], Field(min_length=1),
                      AfterValidator(_field_names)]


class _Kinds(BaseModel):  # one field a kind of message (bot.core.messages.KINDS); any other name is a mistake
    model_config = CONFIG
    reminder: _Template | None = None
    tip_status: _Template | None = None
    survey_invite: _Template | None = None


class _File(BaseModel):
    model_config = CONFIG
    version: Literal[1] = 1
    templates: _Kinds


_SCHEMA = TypeAdapter(_File)
KIND_NAMES = {REMINDER: text.KIND_REMINDER, TIP_STATUS: text.KIND_TIP_STATUS, SURVEY_INVITE: text.KIND_SURVEY_INVITE}


def _fit(name: str, value: str) -> str:
    limit = LIMITS.get(name.rstrip("0123456789"))
    if limit is None or len(value) <= limit:
        return value
    return value[:limit - 1] + "…" if limit > 1 else value[:limit]


@dataclass(frozen=True)
class Template:
    template_id: str
    fields: dict[str, str]
    url: str | None = None

    def payload(self, openid: str, kind: str, body: str, when: dt.datetime) -> dict[str, Any]:
        """The body of /cgi-bin/message/template/send for this message."""
        summary = next((line.strip() for line in body.splitlines() if line.strip()), "")
        values = {"summary": summary, "text": body.strip(), "kind": KIND_NAMES.get(kind, kind),
                  "time": f"{when.year}年{when.month}月{when.day}日 {when:%H:%M}"}
        data = {name: {"value": _fit(name, pattern.format(**values))} for name, pattern in self.fields.items()}
        return {"touser": openid, "template_id": self.template_id, **({"url": self.url} if self.url else {}),
                "data": data}


def load(path: Path) -> dict[str, Template]:
    """The templates by message kind; DataFileError naming file and line for anything wrong."""
    data, root = read_yaml(path)
    out = Collector()
    loaded = validate(_SCHEMA, data, root, path, out)
    if loaded is None:
        raise DataFileError(out.problems)
    return {kind: Template(t.template_id, dict(t.fields), t.url) for kind in KINDS
            if (t := getattr(loaded.templates, kind)) is not None}
