"""What editing the knowledge base says (the console's 知识库 page)."""

NO_SUCH_ENTRY = "没有ID为“{entry_id}”的条目。"
NO_SUCH_VERSION = "没有版本{version}。"
RELATED_SELF = "相关条目不能是它自己。"
RELATED_MISSING = "相关条目“{entry_id}”不存在。"
NOTHING_CHANGED = "没有改动。"
CHANGED = "修改了{fields}"
BACK_TO_FILE = "恢复为软件自带的版本"
BACK_TO_VERSION = "恢复为版本{version}"
FIELD_NAMES = {"question": "问题", "alternates": "其他问法", "keywords": "关键词", "answer": "答案",
               "sources": "依据", "related": "相关条目", "topic": "主题"}

# kb check's messages, as the console shows them at the field
MISSING = "不能为空"
NOT_A_LIST = "每行写一项，不能有空项"
UNKNOWN_TOPIC = "没有这个主题"
TOO_LONG = "答案有{length}字，请控制在{limit}字以内"

# new entries written in the console (handlers/kb_drafts.py)
CHOOSE_TOPIC = "请从列表里选择主题"
NO_SUCH_DRAFT = "没有这份草稿（可能已经发布）。"
DRAFT_NEW = "新建草稿"
DRAFT_SAVED = "修改草稿"
PUBLISHED = "发布新条目"
