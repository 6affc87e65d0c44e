"""What the console's knowledge pages say (待处理问题, 归入条目, 知识库, 新建条目), in Simplified Chinese."""

# teaching (待处理问题 → 归入条目)
TEACH_PICK = "请从建议或查找结果里选一个条目，再点“归入此条”。"
TEACH_UNKNOWN_ENTRY = "没有归入：找不到这个条目（可能已被删除或还没有发布）。请从下面的建议或查找结果里重新选一条。"
NO_SUCH_QUESTION = "没有编号为 {number} 的问题，可能已经过了保存期限。请回到待处理问题列表。"
NOTHING_FOUND = "没有标题或问法含“{query}”的条目。换个词再找，或者看上面的建议。"
TAUGHT = "已记住：“{text}”今后按条目“{title}”回答，所有在运行的实例几秒内生效。{count}"
HANDLED = {"taught": "已归入条目", "not_ip": "已标为不属于知识产权", "ignored": "已忽略"}
HANDLED_NOTE = "这个问题已经处理过（{how}）。再归入一次会改为按新选的条目回答。"

# 知识库: new entries
TITLE = "标题"
DRAFT_SAVED = "草稿已保存（还没有发布，机器人不会用它回答）。"
DRAFT_SAVED_PROBLEMS = "草稿已保存，但还不能发布：请按下面标出的问题修改。"
DRAFT_NOT_SAVED = "没有保存：请填写标题并选择主题。"
NOT_PUBLISHED = "没有发布：请按下面标出的问题修改（填写的内容已存为草稿，不会丢失）。"
PUBLISHED = "新条目“{title}”已发布，所有在运行的实例几秒内就能用它回答。"
KB_SAVED = "条目“{title}”已保存并发布，所有在运行的实例几秒内按新内容回答。"
KB_NOT_SAVED = "没有保存：请按下面标出的问题修改。"
KB_REVERTED = "条目“{title}”已恢复，几秒内生效。"
# the confirm step before a revert: (title, what will happen, the button)
CONFIRM_REVERT = ("恢复条目", "把条目“{title}”恢复到{version}后，所有在运行的实例几秒内就按那个版本回答用户；"
                  "当前内容仍留在版本记录里，可以再恢复回来。", "确认恢复")
REVERT_TO_FILE = "知识库文件里的原始内容"
REVERT_TO_VERSION = "第 {version} 版"

# 知识库: 试一试
TRY_CONFIDENT = "有把握，会直接回答第一条"
TRY_UNSURE = "没把握，会列出下面几条让用户选"
TRY_REASONS = {"empty": "没有输入内容", "too_long": "问题太长", "no_match": "没有找到相关条目",
               "out_of_scope": "不属于知识产权，会婉拒并指引", "low_coverage": "没把握，会列出几条让用户选",
               "ambiguous": "几条分数接近，会列出让用户选"}
