"""What staff commands say."""

REFUSED = "抱歉，这个命令只对工作人员开放。有问题可以直接问我，或者转人工。"
STATS = ("问答统计\n"
         "最近7天：提问{q7}次，答出{a7}（{ar7}），有用{h7}（{hr7}），转人工{o7}次\n"
         "最近30天：提问{q30}次，答出{a30}（{ar30}），有用{h30}（{hr30}），转人工{o30}次")
NO_RATE = "—"
HELP = ("工作人员命令：\n"
        "/unanswered 没答好的问题（用于完善知识库）\n"
        "/stats 提问量、回答率、有用率\n"
        "/remind 日期 时间 对象 内容 设置提醒；/reminders 查看和取消\n"
        "/survey_open 名称、/survey_close 开始或结束一期满意度调查；/survey_invite 发送调查邀请；/report 调查报告\n"
        "/outbox 消息投递情况和停发的消息\n"
        "人工咨询：回复通知或发送 /reply 编号 内容 答复用户，/end 编号 结束。")
