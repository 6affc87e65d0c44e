"""What the staff reminder commands say."""

from scheduler.texts import ACK_BUTTON as ACK_BUTTON  # one wording for the button, in chat and on reminders

USAGE = ("用法：/remind 日期 时间 对象 内容，例如\n"
         "/remind 2026-12-01 09:00 me 提交季度报表\n"
         "对象：me（自己）、staff（工作人员群）、allstaff（每位工作人员）、"
         "订阅:商标 / 订阅:专利（订阅了到期提醒的企业），或具体的 telegram:123。")
BAD_TIME = "时间没看懂：{value}。请用 2026-12-01 09:00 这样的格式。"
PAST = "这个时间已经过去了：{value}。"
NOBODY = "没有找到要提醒的对象：{value}。"
ADDED = "已设置提醒（编号{number}）：{when}，发给{count}个对象：{text}"
LIST_TITLE = "待发送的提醒："
LIST_NONE = "没有待发送的提醒。"
LIST_ITEM = "编号{number}：{when}，{count}个对象：{text}"
CANCEL = "取消{number}"
CANCELLED = "已取消提醒（编号{number}）。"
NOT_ACTIVE = "提醒{number}不存在或已经发出/取消。"
ACKED = "已记录为已办，谢谢！"
ALREADY_ACKED = "这条提醒已由{who}在{when}确认为已办。"
ACK_UNKNOWN = "没有找到这条提醒，可能已经清理。"
ACK_NOT_YOURS = "这条提醒不是发给你的，只有收到它的人或工作人员可以确认。"
