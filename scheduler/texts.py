"""What the scheduler's own messages say (reminders sent by time, escalations). One place, like handlers/texts."""

ACK_BUTTON = "已办"
LATE_NOTE = "（系统恢复后补发）"
AGAIN = "【再次提醒：尚未确认已办】{text}"
ESCALATED = "【提醒未确认】发给 {to} 的提醒已超过{delay}没有人点“已办”：{text}"
HOURS = "{n}小时"
MINUTES = "{n}分钟"
