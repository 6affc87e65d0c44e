"""Command descriptions: the platform's command menu and the staff help are made from these."""

START = "打开主菜单"
MENU = "按类别浏览常见问题"
HELP = "能问什么"
SURVEY = "参加知识产权保护满意度调查"
SUBSCRIBE = "订阅商标、专利到期提醒"
MYDEADLINES = "查看我订阅的到期提醒"
UNSUBSCRIBE = "编号 取消一项到期提醒订阅"
CANCEL = "结束人工咨询或取消当前操作"
UNANSWERED = "没答好的问题（用于完善知识库）"
TEACH = "编号 条目ID：把没答好的问题归入条目（或“不属于知识产权”），各实例几秒内生效"
STATS = "提问量、回答率、有用率"
REMIND = "日期 时间 对象 内容：设置提醒"
REMINDERS = "查看和取消提醒"
SURVEY_OPEN = "名称：开始一期满意度调查"
SURVEY_CLOSE = "结束当前一期满意度调查"
SURVEY_INVITE = "发送调查邀请"
REPORT = "满意度调查报告"
OUTBOX = "消息投递情况和停发的消息"
REPLY = "编号 内容：答复人工咨询的用户"
END = "编号：结束人工咨询"
STAFF_HELP_TITLE = "工作人员命令："
STAFF_HELP_HANDOFF = "人工咨询：也可以直接回复通知来答复用户。"

TIP = "举报侵权线索（可附照片、可匿名）"
TIP_STATUS = "编号 — 查询举报的处理进度"
TIPS = "[状态] — 举报线索列表；/tip 编号 查看，/tip 编号 状态 说明 改状态"
HUMAN = "转人工：请工作人员接手"
PRIVACY = "个人信息说明：用途、保存内容和期限"
# labels in an app's menu bar (WeCom: at most 4 characters on the bar, 7 under 更多)
APP_ASK = "问政策"
APP_SURVEY = "满意度调查"
APP_TIP = "我要举报"
APP_DEADLINES = "我的期限"
APP_HUMAN = "转人工"
APP_HELP = "帮助"

# Typed instead of pressed: a message that is exactly one of these (punctuation and spaces aside) runs the command,
# as its button or menu entry would. The app menu's labels above count too.
TYPED = {
    "survey": ("参加满意度调查", "满意度问卷", "问卷调查"),
    "tip": ("举报", "我要投诉举报", "线上举报", "举报侵权"),
    "human": ("人工", "人工客服", "找人工", "人工服务"),
    "cancel": ("结束人工", "退出人工", "结束人工服务", "不要人工了"),
    "help": ("使用帮助", "怎么用"),
    "menu": ("菜单", "主菜单"),
}
