"""The conversation, written against channel-neutral types; knows nothing of Telegram or WeCom."""
