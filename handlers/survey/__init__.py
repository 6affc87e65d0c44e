"""The satisfaction survey: the conversation, its definition file, scoring, insights, exports and invitations."""
