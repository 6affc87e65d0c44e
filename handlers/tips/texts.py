"""What the infringement-report flow (线上快速维权) says, to reporters and to staff."""

START_BUTTON = "我要举报"
INTRO = ("举报侵权线索（可匿名）：接下来几步，带“跳过”的可以不填。随时发送 /cancel 放弃。\n"
         "第1步：是哪一类侵权？")
INTRO_WITH_PHOTO = ("收到照片。如果是要举报侵权线索，请继续填写，照片会附在举报里"
                    "（不举报请发送 /cancel，照片随即删除）。\n第1步：是哪一类侵权？")
RESUMING = "欢迎回来，你有一份没填完的举报，我们接着填："
KINDS = {"trademark": "商标", "patent": "专利", "gi": "地理标志", "other": "其他"}
ASK_RIGHT = {
    "trademark": "第2步：被侵犯的是哪个商标？写商标名称或注册号（不清楚可以跳过）。",
    "patent": "第2步：涉及哪件专利？写专利号或名称（不清楚可以跳过）。",
    "gi": "第2步：是哪个地理标志？例如精河枸杞（不清楚可以跳过）。",
    "other": "第2步：涉及什么权利或品牌？（不清楚可以跳过）",
}
GI_EXAMPLE = "精河枸杞"
ASK_COUNTY = "第3步：在哪里发现的？"
COUNTIES = ("博乐市", "阿拉山口市", "精河县", "温泉县")
ONLINE = "网上"
ELSEWHERE = "其他地方"
ASK_PLACE = "第4步：具体在哪里？写店名、市场和摊位，或者地址。"
ASK_LINK = "第4步：请发来商品或店铺的链接，或者写平台和店铺名称。"
ASK_WHAT = "第5步：发生了什么？例如卖的什么商品、哪里像假的、什么时候看到的。"
ASK_PHOTOS = "第6步：有照片的话请直接发来（最多{limit}张，每张不超过10MB）；没有就点“跳过”。"
ASK_MORE_PHOTOS = "已收到{count}张照片，还可以再发{left}张；发完请点“完成”。"
ASK_CONTACT = ("第7步：留个联系方式（电话或微信），方便工作人员核实和告知结果；"
               "不想留可以点“匿名”。")
SKIP = "跳过"
DONE = "完成"
ANONYMOUS = "匿名"
SUBMIT = "提交"
REDO = "重新填写"
CANCEL = "取消"
SUMMARY = ("请核对你的举报：\n类型：{kind}\n权利：{right}\n地点：{place}\n情况：{what}\n照片：{photos}张\n"
           "联系方式：{contact}\n没问题请点“提交”。")
NOT_GIVEN = "未填写"
ANONYMOUS_SHOWN = "匿名"
USE_BUTTONS = "请点下面的按钮选择（看不到按钮可以发送 /tip 重新显示）。"
TOO_LONG = "内容太长了（{length}字），请精简到{limit}字以内："
STALE = "这个按钮已经过期了，请回答当前这一步："
STALE_NOTHING_OPEN = "这个举报已经提交或放弃了。要再举报请发送 /tip。"
CANCELLED = "已放弃这份举报，填写的内容和照片都已删除。"
SUBMITTED = ("举报已提交，编号 {number}。\n工作人员会尽快核查，每次处理进展都会通知你；"
             "也可以随时发送编号或 /tip_status {number} 查询。感谢你的举报！")
PHOTO_KEPT = "已收到照片（共{count}张），会附在举报里。"
PHOTO_LIMIT = "最多只能附{limit}张照片，这张没有保存。"
NOT_AN_IMAGE = "只能接收图片（照片），这个文件没有保存。"
STICKER = "表情不能作为证据，没有保存；请发照片。"
PHOTO_TOO_LARGE = "这张照片超过10MB，没有保存，请压缩后再发。"
PHOTO_REJECTED = {
    "not_image": "你举报{number}的第{position}张照片不是图片文件，没有保存。",
    "too_large": "你举报{number}的第{position}张照片超过10MB，没有保存，请压缩后再发。",
    "too_many_pixels": "你举报{number}的第{position}张照片像素太多（超过4000万），没有保存，请用手机正常拍照后再发。",
    "unreachable": "你举报{number}的第{position}张照片没能从平台取到，没有保存，可以再发一次。",
}

# status
STATUS = {"received": "已受理", "checking": "核查中", "transferred": "已移交执法", "rejected": "不予受理",
          "closed": "已办结"}
STATUS_LINE = "举报 {number} 当前状态：{status}（{at}）"
NOT_FOUND = "没有找到编号为 {number} 的举报，请核对编号（例如 WQ2026120007）。"
STATUS_HOW = "用法：/tip_status 编号，例如 /tip_status WQ2026120007"
HISTORY_TITLE = "处理记录："
HISTORY_LINE = "· {at} {status}{note}"
PUSHED = "你的举报 {number} 有新进展：{status}{note}\n发送 {number} 可查看全部记录。"
NOTE_SEPARATOR = "。说明："

# staff
STAFF_NEW = ("【新举报】{number}\n类型：{kind}{right}\n地点：{place}\n情况：{what}\n照片：{photos}张\n"
             "{same}处理：/tip {number} 查看；/tip {number} 核查中 说明")
STAFF_SAME_PLACE = "同一店铺或链接另有举报：{numbers}\n"
STAFF_DETAIL = ("{number}【{status}】\n提交：{submitted}\n类型：{kind}{right}\n地点：{place}\n情况：{what}\n"
                "联系方式：{contact}\n举报人：{reporter}\n照片：{photos}张{pending}")
STAFF_PENDING_PHOTOS = "（{n}张正在保存）"
STAFF_PHOTO_CAPTION = "{number} 照片{position}/{count}"
STAFF_MOVE_HOW = ("用法：/tip 编号 状态 说明，例如 /tip WQ2026120007 核查中 已派员到店\n"
                  "状态：已受理 → 核查中 → 已移交执法 / 不予受理 → 已办结")
STAFF_UNKNOWN_STATUS = "没有“{status}”这个状态。可用的状态：{statuses}"
STAFF_BAD_MOVE = "{number} 现在是“{current}”，不能改为“{wanted}”。从“{current}”可以改为：{allowed}"
STAFF_FINAL = "{number} 已经是“{current}”，不能再改。"
STAFF_NEED_NOTE = "改为“{wanted}”需要写明理由（举报人会看到），例如 /tip {number} {wanted} 不属于知识产权侵权"
STAFF_MOVED = "{number}：{before} → {after}，已排队通知举报人。"
STAFF_MOVED_ANONYMOUS = "{number}：{before} → {after}（举报人信息已按期删除，未通知）。"
STAFF_LIST_TITLE = "举报线索（{what}，{count}件）："
STAFF_LIST_ALL = "全部"
STAFF_LIST_OPEN = "未办结"
STAFF_LIST_NONE = "没有{what}的举报。"
STAFF_LIST_LINE = "{number}【{status}】{kind} · {place}"
STAFF_LIST_GROUP = "▼ 同一店铺或链接（{count}件）：{place}"
STAFF_LIST_MORE = "……另有{n}件，请在控制台查看或用 /tips 状态 缩小范围。"
STAFF_LIST_HOW = "用法：/tips [状态]，状态：{statuses}、全部（默认：未办结的）"
REPORTER_PURGED = "已按期删除"
REPORTER_ANONYMOUS = "匿名"

# export (XLSX)
EXPORT_HEADERS = ("编号", "提交时间（{zone}）", "类型", "权利", "县市", "地点/链接", "情况", "照片数", "状态",
                  "最近更新（{zone}）", "处理记录（时间为 {zone}）")
EXPORT_CONTACT = "联系方式"
EXPORT_SUMMARY = "汇总"
EXPORT_LIST = "举报"
EXPORT_BY_KIND = "按类型"
EXPORT_BY_COUNTY = "按县市"
EXPORT_TOTAL = "合计"
