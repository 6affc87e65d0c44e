"""What staff commands say."""

REFUSED = "抱歉，这个命令只对工作人员开放。有问题可以直接问我，或者转人工。"
UNANSWERED_TITLE = "最近{days}天没答好的问题（共{count}条，按次数排列）："
UNANSWERED_LINE = "· {text}（{times}次，{why}）"
UNANSWERED_NONE = "最近{days}天没有没答好的问题。"
WHY_UNSURE = "没把握"
WHY_UNHELPFUL = "用户说没用"
STATS = ("问答统计\n"
         "最近7天：提问{q7}次，答出{a7}（{ar7}），有用{h7}（{hr7}），转人工{o7}次\n"
         "最近30天：提问{q30}次，答出{a30}（{ar30}），有用{h30}（{hr30}），转人工{o30}次")
NO_RATE = "—"
