"""Time: the reminder loop and the daily upkeep inside `ipbot run` (runner), reminders and their escalation,
legal deadline calculators and the staff calendar. What they send goes through the kernel's delivery outbox
(bot/core/outbox.py)."""
