"""Online infringement reports (线上快速维权): the conversation, photos, staff handling, status, exports and upkeep."""
