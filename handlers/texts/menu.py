"""The main menu and the browsable question list."""

WELCOME = ("你好！我是博州知识产权服务助手。可以直接输入问题，也可以用下面的菜单：\n"
           "· 问政策：按类别浏览常见问题\n· 满意度调查：参加知识产权保护满意度调查\n"
           "· 提醒：商标续展、专利年费等到期提醒\n· 转人工：请工作人员答复\n"
           "· 我要举报：举报侵权假冒线索，可附照片、可匿名")
ASK = "问政策"
SURVEY = "满意度调查"
REMIND = "提醒"
HANDOFF = "转人工"
REPORT = "我要举报"
CATEGORIES = "请选择类别："
QUESTIONS = "【{category}】常见问题，点一下查看答案："
BACK = "返回类别"
CATEGORY_NAMES = {
    "pledge": "质押融资",
    "patent": "专利",
    "trademark": "商标",
    "gi": "地理标志",
    "protection": "维权保护",
    "service": "规划与服务",
}
CANCELLED = "已取消。有问题可以直接问我。"
