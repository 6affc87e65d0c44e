"""What the satisfaction survey says (item wording lives in handlers/survey/data/survey.yaml)."""

AGREE = "同意"
DECLINE = "不同意"
SKIP = "跳过"
NO_WAVE = "目前没有正在进行的满意度调查，开放后会通知你。谢谢关注！"
ALREADY_DONE = "你已经参加过本期调查（{wave}），感谢你的支持！"
DECLINED = "好的，不参加也没关系。需要的话随时可以发送 /survey 再参加。"
RESUMING = "欢迎回来，我们从上次停下的地方继续。"
ASK_GROUP = "第1步：请问你属于哪一类？"
ASK_COUNTY = "第2步：你所在的县市是？"
ASK_ITEM = "（{number}/{total}）【{dimension}】{text}"
ASK_COMMENT = "最后，对本地知识产权保护还有什么意见或建议？直接输入即可，也可以点“跳过”。"
THANKS = "调查完成，感谢你的参与！你的意见会帮助我们把知识产权保护做得更好。"
USE_BUTTONS = "请点下面的按钮作答（如果看不到按钮，可以发送 /survey 重新显示）。"
STALE = "这个按钮已经过期了，请回答当前的问题："
STAFF_OPENED = "已开启调查“{wave}”。用户发送 /survey 或点菜单里的“满意度调查”即可参加。"
STAFF_ALREADY_OPEN = "调查“{wave}”正在进行，请先发送 /survey_close 结束它。"
STAFF_NAME_TAKEN = "已经有名为“{wave}”的调查，请换一个名字。"
STAFF_CLOSED = "已结束调查“{wave}”，共{n}份完成的答卷。"
STAFF_NOTHING_OPEN = "目前没有正在进行的调查。"
STAFF_OPEN_HOW = "用法：/survey_open 名称，例如 /survey_open 2026年第四季度"
# survey.yaml's `target` and `baseline` are the ended 2021–2025 plan's figures (its 2025 target, its 2020
# value), which the plan puts as %: shown as references, never as a current target. No 15th-plan target is known.
TARGET_LABEL = "原规划2025年目标"
BASELINE_LABEL = "原规划2020年基数"
INSTRUMENT_NOTE = ("注：本指数来自本地调查（五级选项按100/80/60/40/20分计），与规划按“%”统计的满意度不是同一口径，"
                   "也不是全国指数；规划期已结束，新的目标尚未知，原规划数字仅作参照。")
REPORT = ("【{wave}】满意度调查：{n}份答卷\n指数 {index}（95%区间 {low}–{high}）；比上一期 {change}\n"
          "参照：" + TARGET_LABEL + "{target}%（口径不同），" + BASELINE_LABEL + "{baseline}%\n"
          "各维度：{dimensions}\n" + INSTRUMENT_NOTE)
REPORT_NONE = "还没有调查。发送 /survey_open 名称 开启一期。"
NOT_AVAILABLE = "—"
CHART_TITLE_INDEX = "指数（各期）与原规划参照值"
CHART_NOTE = "本地五级选项调查，与规划“%”口径不同；虚线仅作参照"
CHART_TITLE_DIMENSIONS = "本期各维度"
# Used when no Chinese font is installed for the chart (labels would show as boxes).
CHART_FALLBACK = {"法律政策": "Law & policy", "执法保护": "Enforcement", "机制建设": "Mechanisms",
                  "意识培养": "Awareness", "保护效果": "Effect",
                  CHART_TITLE_INDEX: "Index by wave vs the former plan's figures",
                  "本期各维度": "Dimensions this wave", TARGET_LABEL: "former plan's 2025 target",
                  BASELINE_LABEL: "former plan's 2020 value",
                  CHART_NOTE: "Local 5-option survey, not the plan's % measure; dashed lines for reference only"}
PAUSED = "（满意度调查还没有完成，发送 /survey 可以从停下的地方继续。）"
STALE_NOTHING_OPEN = "这个调查按钮已经过期了。发送 /survey 可以查看现在的调查。"
INVITATION = ("您好！知识产权保护满意度调查“{wave}”正在进行，大约两分钟，匿名统计，"
              "您的意见将帮助我们改进工作。点下面的按钮参加，也可以随时发送 /survey。")
INVITE_BUTTON = "参加调查"
INVITED = "调查“{wave}”：已安排发送邀请{queued}份；已完成答卷的{finished}人、之前已邀请过的{before}人不再发送。"
INVITE_NO_WAVE = "目前没有正在进行的调查，请先发送 /survey_open 名称 开启一期。"
INVITE_HOW = ("用法：/survey_invite（邀请所有用过本服务的人）、/survey_invite 订阅（只邀请订阅了到期提醒的企业），"
              "或 /survey_invite telegram:123 wecom:zhangsan（指定对象）。")
# Insights beside the report: change since the previous wave, key drivers (handlers/survey/insights.py)
CHANGES_TITLE = "比上一期（{previous}）的变化（95%区间）："
CHANGES_NONE = "没有上一期可比。"
CHANGE_LINE = "· {name} {difference:+g}（{low:+g}～{high:+g}），{verdict}"
CHANGE_SUPPRESSED = "· {name}：答卷不足{min_cell}份，不比较"
BEYOND_NOISE = "超出误差范围"
WITHIN_NOISE = "在误差范围内"
DRIVERS_TITLE = "关键驱动（各项与“总体满意”的相关系数 r × 平均分）："
DRIVER_LINE = "· {text}：r={r:.2f}，{mean:g}分{mark}"
DRIVER_SUPPRESSED = "· {text}：答卷不足{min_cell}份，不显示"
DRIVER_NO_SPREAD = "· {text}：{mean:g}分，答案没有差别，无法计算相关"
PRIORITY_MARK = " ← 优先改进"
DRIVERS_ACT = "影响大、得分低，最该下功夫的：{items}（参照：" + TARGET_LABEL + "{target:g}%，口径不同）"
DRIVERS_NO_PRIORITY = "目前没有既影响大又得分低的项。"
DRIVERS_NONE = "关键驱动：完成的答卷不足{min_cell}份，暂不分析。"
CHART_TITLE_DRIVERS = "关键驱动：重要性 × 表现"
CHART_AXIS_MEAN = "平均分（表现）"
CHART_AXIS_R = "与总体满意的相关系数（重要性）"
CHART_DRIVER_FALLBACK = {"关键驱动：重要性 × 表现": "Key drivers: importance x performance",
                         "平均分（表现）": "mean score (performance)",
                         "与总体满意的相关系数（重要性）": "correlation with overall satisfaction (importance)",
                         TARGET_LABEL: "former plan's 2025 target"}

# the responses as CSV/XLSX (handlers/survey/export.py): headers a person reads
EXPORT_HEADERS = ("答卷编号（加盐哈希）", "问卷版本", "群体", "县市")
EXPORT_COMPLETED = "完成时间（{zone}）"
EXPORT_ITEM = "{text}（{id}）"
EXPORT_COMMENT = "意见建议"
EXPORT_DIMENSION_N = "n={n}"  # beside a dimension's score in the summary sheet, then its 95% interval
