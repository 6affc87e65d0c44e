"""What deadline subscriptions say."""

USAGE = ("订阅到期提醒：\n"
         "· 商标：/subscribe 商标 核准注册日 名称，例如 /subscribe 商标 2016-03-14 精河红\n"
         "· 专利：/subscribe 发明|实用新型|外观设计 申请日 名称，例如 /subscribe 实用新型 2021-03-10 烘干机\n"
         "会在到期前90天、30天、7天提醒你。/mydeadlines 查看，/unsubscribe 编号 取消。")
BAD_DATE = "日期没看懂：{value}。请用 年-月-日 的格式，例如 2016-03-14。"
FUTURE_DATE = "这个日期还没到：{value}。请填写已经核准（或已申请）的日期。"
TOO_OLD = "“{label}”已经过了保护期或宽展期，没有需要提醒的期限了。"
SUBSCRIBED = "已订阅（编号{number}）：{label}。接下来的期限：\n{events}\n我会在到期前提醒你。"
EVENT_LINE = "· {date}：{event}"
NONE = "你还没有订阅到期提醒。\n" + USAGE
LIST_TITLE = "你订阅的到期提醒："
LIST_ITEM = "编号{number}：{label}（{kind}，{start}）\n{events}"
UNSUBSCRIBED = "已取消订阅（编号{number}）：{label}。"
NOT_YOURS = "没有找到编号为{number}的订阅。发送 /mydeadlines 查看你的订阅。"
REMINDER = "【到期提醒】{label}：{event}，日期是 {date}（还有{days}天）。{advice}"
# A subscription knows only the filing date, not whether or when the patent was granted: fee reminders
# start from year 2 and say that a pending application owes no annual fee (scheduler/deadlines.py).
NOT_GRANTED = ("如果专利还没有授权，就没有这笔年费，不用缴：授权当年的年费随授权登记手续缴纳，"
               "以后每年的年费才需要按期缴纳。")
PATENT_FEES_NOTE = ("说明：年费提醒按申请日推算，假定专利已经授权；还没授权的申请不缴年费"
                    "（授权当年的年费随授权登记手续缴纳），授权前的年费提醒可以不理会。")
KINDS = {"商标": "trademark", "发明": "invention", "实用新型": "utility_model", "外观设计": "design"}
KIND_NAMES = {"trademark": "商标", "invention": "发明专利", "utility_model": "实用新型专利", "design": "外观设计专利"}
EVENTS = {
    "renewal_opens": ("可以开始办理商标续展", "可通过商标网上服务系统办理续展。"),
    "expires": ("注册商标有效期届满", "请在此之前办理续展，之后还有6个月宽展期。"),
    "grace_ends": ("商标宽展期结束", "过了这一天仍未续展，注册商标将被注销。"),
    "fee_due": ("第{year}年度专利年费缴费截止",
                "这一天是申请日的对应日，当天缴纳仍算按时。逾期可在6个月内补缴：逾期1个月以内不收滞纳金；"
                "超过1个月加收当年全额年费的5%，此后每再超过1个月加5%，最多25%。6个月内仍未缴纳的，专利权终止，"
                "收到国家知识产权局的通知后2个月内可以请求恢复。" + NOT_GRANTED),
    "fee_grace_ends": ("第{year}年度专利年费补缴期结束",
                       "过了这一天仍未缴纳（含滞纳金），专利权终止；收到国家知识产权局的通知后2个月内可以请求恢复权利，"
                       "并补缴应缴的费用，以通知为准。" + NOT_GRANTED),
    "term_ends": ("专利保护期届满", "期满后专利进入公有领域。"),
}
