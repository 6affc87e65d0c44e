"""The knowledge base's own load error; the data-file loader's Problem and DataFileError are the kernel's
(bot/core/datafile.py)."""

from __future__ import annotations

from bot.core.datafile import DataFileError as DataFileError
from bot.core.datafile import Problem as Problem


class KnowledgeBaseError(DataFileError):
    """The knowledge base does not load."""
