"""What the review queue and teaching say (chat; the console uses the same words)."""

QUEUE_TITLE = "最近{days}天没答好的问题（{count}组，按次数排列）。点按钮归入条目、标为不属于知识产权或忽略；" \
              "也可以发送 /teach 编号 条目ID。"
QUEUE_NONE = "最近{days}天没有待处理的问题。"
QUEUE_LINE = "编号{number}：{text}\n（{times}次，{why}，最近一次{last}）"
QUEUE_MORE = "还有{more}组没有列出，处理完上面的再发 /unanswered 查看。"
WHY_UNSURE = "没把握"
WHY_UNHELPFUL = "用户说没用"
WHY_BOTH = "没把握，也有用户说没用"
TEACH_TO = "归入：{question}"
NOT_IP = "不属于知识产权"
IGNORE = "忽略"

TEACH_HOW = ("用法：/teach 编号 条目ID，例如 /teach 12 pledge-steps；/teach 编号 不属于知识产权。"
             "编号见 /unanswered。")
NO_SUCH_QUESTION = "没有编号为{number}的问题。编号见 /unanswered。"
NO_SUCH_ENTRY = "没有ID为“{entry_id}”的条目。{closest}"
CLOSEST = "相近的条目：{ids}"
TAUGHT = "已记住：“{text}”今后按条目“{question}”（{entry_id}）回答，所有在运行的实例几秒内生效。{count}"
MARKED_NOT_IP = "已记住：“{text}”不属于知识产权，今后会礼貌地说明并指引到相应部门。{count}"
IGNORED = "已忽略：“{text}”。{count}"
GROUP_COUNT = "（同样的问题共{times}条已一并处理）"
ALREADY = "编号{number}的问题已经处理过了（{how}）。"
HOW_TAUGHT = "已归入条目"
HOW_NOT_IP = "已标为不属于知识产权"
HOW_IGNORED = "已忽略"

# said to a question staff marked as not about IP, after "这个问题不属于知识产权业务，我这里答不了。"
DECLINE_REFERRAL = ("可以拨打12345政务服务便民热线咨询相应部门；如果其实是专利、商标或地理标志方面的问题，"
                    "请换个说法再问，或者转人工。")
