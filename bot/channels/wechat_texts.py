"""What the WeChat channel itself says (everything else comes from the handlers); outbox reasons staff read
in the console are in Chinese too."""

CHOOSE = "请选择："
IMAGE_NOT_SENT = "（图表无法在公众号中显示，请在网页工作台查看）"
WINDOW_CLOSED = "对方超过48小时没有给公众号发消息，客服消息已无法送达（需对方再次发消息后才能回复）"
UNFOLLOWED = "对方已取消关注公众号，消息未发送"
NO_STAFF_CHAT = "公众号没有员工群，员工消息请通过企业微信或Telegram接收"
NO_TEMPLATE = "对方超过48小时未与公众号互动，客服消息发不出去；{kind}没有配置模板消息（IPBOT_WECHAT_TEMPLATES），未发送"
NOT_A_TEMPLATE_KIND = "对方超过48小时未与公众号互动，客服消息发不出去；答复、人工回复等不能用模板消息发送，未发送"
KIND_REMINDER = "提醒"
KIND_TIP_STATUS = "举报进展"
KIND_SURVEY_INVITE = "满意度调查邀请"
MENU_MORE = "更多"
