"""What the console says (Simplified Chinese). Templates hold the page wording; these are the messages."""

TITLE = "博州知识产权服务助手 · 工作台"
NAV = (("概览", "/console/", "staff"), ("待处理问题", "/console/questions", "staff"),
       ("知识库", "/console/knowledge", "staff"), ("人工服务", "/console/handoffs", "staff"),
       ("满意度", "/console/survey", "staff"), ("提醒", "/console/reminders", "staff"),
       ("消息队列", "/console/outbox", "staff"), ("线索", "/console/tips", "staff"),
       ("指标", "/console/indicators", "staff"), ("账号", "/console/accounts", "admin"))

# accounts
BAD_NAME = "用户名只能用字母、数字、汉字和 . _ - @，最长 64 个字符。"
SHORT_PASSWORD = "密码至少 {n} 个字符。"
LONG_PASSWORD = "密码最长 {n} 个字符。"
BAD_ROLE = "角色只能是 admin（管理员）或 staff（工作人员）。"
NO_ACCOUNT = "没有账号 {name}。"
NAME_TAKEN = "账号 {name} 已经存在。"
BAD_ADDRESS = "“{value}”不是聊天账号，请写成 telegram:123 或 wecom:zhangsan。"
ADDRESS_TAKEN = "{value} 已经关联到账号 {name}。"
NOT_LINKED = "{value} 没有关联到账号 {name}。"
ROLE_NAMES = {"admin": "管理员", "staff": "工作人员"}

# login
LOGIN_WRONG = "用户名或密码不正确。"
LOGIN_THROTTLED = "登录失败次数过多，请稍后再试（从这台电脑最多等 15 分钟）。"
LOGIN_MISSING = "请填写用户名和密码。"
SIGNED_OUT = "已退出登录。"
TIMED_OUT = "会话已超时，请重新登录。"

# 修改密码 (one's own) and 重置密码 (an admin's, for another account)
PASSWORD_RULES = ("至少 {min} 个字符（最长 {max} 个），字母、数字、汉字、符号都可以；不能与用户名相同，"
                  "也不能与当前密码相同。改好后，你在其他电脑或浏览器上的登录会全部失效。")
PASSWORD_CURRENT_MISSING = "请填写当前密码。"
PASSWORD_CURRENT_WRONG = "当前密码不正确。"
PASSWORD_MISMATCH = "两次填写的新密码不一样，请重新填写。"
PASSWORD_SAME = "新密码不能与当前密码相同。"
PASSWORD_IS_NAME = "密码不能与用户名相同。"
AUDIT_OWN_PASSWORD = "其他登录已失效"
PASSWORD_CHANGED = "密码已修改。你在其他电脑或浏览器上的登录已全部失效。"
RESET_YOURSELF = "要改自己的密码，请用右上角的“修改密码”。"
RESET_DONE = ("账号 {name} 的密码已重置，它的登录已全部失效。新密码只显示这一次，请当面或电话告诉本人，"
              "并请他登录后在“修改密码”里改成自己的：")

# errors
FORBIDDEN = "你没有权限打开这个页面。"
NOT_FOUND = "没有这个页面或记录。"
BAD_REQUEST = "请求有误。"
CSRF = "表单已过期或来源不明，请刷新页面后重试。"
SERVER_ERROR = "出错了，请稍后再试。"
ERROR_TITLES = {400: "请求有误", 403: "没有权限", 404: "找不到", 405: "不支持的操作", 429: "请稍后再试",
                500: "出错了"}

# handoffs
REPLY_EMPTY = "请填写回复内容。"
REPLY_TOO_LONG = "回复最长 {n} 个字符。"
REPLIED = "回复已排队（#{number}），将通过消息队列发给用户。"
ENDED = "人工咨询 #{number} 已结束，结束通知已排队发给用户。"
STAFF_NOTE_REPLY = "【人工咨询 #{number}】{name}（工作台）回复：{text}"
STAFF_NOTE_END = "【人工咨询 #{number}】{name}（工作台）已结束。"

# survey
WAVE_NAME_EMPTY = "请填写期次名称，例如 2026Q4。"
WAVE_ALREADY_OPEN = "调查“{wave}”正在进行，请先点“结束当前期次”结束它，再开始新的一期。"
WAVE_NONE_OPEN = "现在没有进行中的调查。"
UNKNOWN_WAVE = "没有期次 {wave}。"

# reminders
REMINDER_ADDED = "提醒 #{number} 已安排，共 {count} 个接收方。"
REMINDER_CANCELLED = "提醒 #{number} 已取消。"
REMINDER_NOT_ACTIVE = "提醒 #{number} 不存在或已经取消。"
REMINDER_BAD_TIME = "请填写时间，格式如 2026-12-01 09:00。"
REMINDER_PAST = "这个时间已经过去了。"
REMINDER_TEXT_EMPTY = "请填写提醒内容。"
REMINDER_NOBODY = "没有接收方：{why}"
REMINDER_NO_LINK = "你的账号还没有关联聊天账号：请管理员在“账号”页你的那一行填上聊天账号（如 telegram:123）后点“关联”。"
REMINDER_NO_LINK_ADMIN = "你的账号还没有关联聊天账号：请在“账号”页你的那一行填上聊天账号（如 telegram:123）后点“关联”。"
REMINDER_NO_SUBSCRIBERS = "没有订阅这类期限的企业。"
REMINDER_NO_STAFF = "还没有工作人员的聊天账号：请管理员在“账号”页给工作人员关联聊天账号。"
REMINDER_BAD_CHAT = "“{value}”不是接收方，请写成 telegram:123 或 wecom:zhangsan（多个用逗号分开）。"
REMINDER_BAD_AUDIENCE = "请选择接收方。"
AUDIENCES = (("me", "我自己"), ("staff", "工作人员群"), ("allstaff", "全体工作人员"),
             ("订阅:商标", "订阅商标期限的企业"), ("订阅:专利", "订阅专利期限的企业"), ("chat", "指定聊天"))

# outbox
RETRIED = "消息 #{number} 已重新排队。"
NOT_DEAD = "消息 #{number} 不在失败列表里。"

# accounts page
ACCOUNT_ADDED = "账号 {name} 已创建。"
ACCOUNT_DISABLED = "账号 {name} 已停用，它的登录已全部失效。"
ACCOUNT_ENABLED = "账号 {name} 已启用。"
ACCOUNT_ROLE = "账号 {name} 的角色已改为{role}。"
ACCOUNT_LINKED = "已把 {value} 关联到账号 {name}。"
ACCOUNT_UNLINKED = "已取消 {value} 与账号 {name} 的关联。"
NOT_YOURSELF = "不能停用自己的账号，也不能取消自己的管理员角色。"

# confirm steps before destructive actions (title, what happens, the button)
CONFIRM_DISABLE = ("停用账号", "停用账号 {name} 后，它在所有浏览器上的登录立即失效，也不能再登录；关联的聊天账号"
                   "不再有工作人员权限。以后可以再启用。", "确认停用")
CONFIRM_RESET = ("重置密码", "重置账号 {name} 的密码后，原密码立即失效，它在所有浏览器上的登录也会失效；"
                 "新密码由系统生成，只显示一次。", "确认重置")
CONFIRM_UNLINK = ("取消关联", "取消 {value} 与账号 {name} 的关联后，这个聊天账号不再有工作人员权限。",
                  "确认取消关联")
CONFIRM_CLOSE_WAVE = ("结束调查", "结束调查“{wave}”后，用户不能再参加这一期（现有 {n} 份完成的答卷）。"
                      "结束后不能重新打开，只能开始新的一期。", "确认结束调查")
CONFIRM_CANCEL_REMINDER = ("取消提醒", "取消提醒 #{number}（{at}：{text}）后它不会再发送，也不能恢复。",
                           "确认取消提醒")
CONFIRM_END_HANDOFF = ("结束人工咨询", "结束人工咨询 #{number}（{who}）后，用户会收到结束通知，"
                       "之后的消息由机器人回答。",
                       "确认结束")
CONFIRM_TIP_FINAL = ("更改线索状态", "把线索 {number} 改为“{status}”后不能再改回，举报人会收到通知。", "确认更改")

# audit actions, as shown
ACTIONS = {"login": "登录", "logout": "退出", "handoff.reply": "回复人工咨询", "handoff.end": "结束人工咨询",
           "survey.open": "开始调查", "survey.close": "结束调查", "reminder.add": "新建提醒",
           "reminder.cancel": "取消提醒", "outbox.retry": "重新排队", "account.add": "新建账号",
           "account.disable": "停用账号", "account.enable": "启用账号", "account.role": "修改角色",
           "account.link": "关联聊天账号", "account.unlink": "取消关联",
           "account.password": "修改自己的密码", "account.reset": "重置密码",
           "question.teach": "归入条目", "question.not-ip": "标为不属于知识产权", "question.ignore": "忽略问题",
           "kb.edit": "修改知识库条目", "kb.revert": "恢复知识库条目", "kb.draft": "保存新条目草稿",
           "kb.publish": "发布新条目",
           "tip.move": "更改线索状态", "tip.export": "导出线索", "indicator.record": "录入指标数据",
           "tip.contact": "查看举报人联系方式"}

AUDIT_AREAS = {"account": "账号", "handoff": "人工服务", "survey": "满意度调查", "reminder": "提醒",
               "outbox": "消息队列", "question": "待处理问题", "kb": "知识库", "tip": "线索", "indicator": "指标"}
AUDIT_OTHER_AREA = "工作台"
AUDIT_OTHER_ACTION = "的其他操作"

# figures: n, intervals, too few to compare (bot/console/figures.py)
INTERVAL = "95% 区间 {low}–{high}"
INTERVAL_NONE = "95% 区间 —（答卷太少）"
TOO_FEW = "样本太少，仅供参考"
TOO_FEW_TO_COMPARE = "样本太少，不作比较"
NO_CLEAR_GAP = "与目标无明显差别（目标在区间内）"
REACHED = "高于参照值"
BELOW = "低于参照值"

# 线索
TIP_NEED_NOTE = "改为“{status}”需要在“说明”里写明理由（举报人会看到），例如：不属于知识产权侵权。"
TIPS_BAD_MONTH = "请选择要导出的月份，格式如 2026-11。"

CHANNEL_NOT_CONFIGURED = "注意：{channel}渠道没有配置，这条消息发不出去，会在“消息队列”页的“发送失败的消息”里列出。"
CONTACT_ADMINS_ONLY = "有（仅管理员可见，查看会记入操作记录）"
