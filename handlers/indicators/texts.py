"""What the plan-indicator features say: staff recording figures, the listing, the public answers."""

# Recording a figure (chat /indicator and `ipbot indicators set`)
SET_HOW = ("用法：/indicator 指标ID 期间 数值 来源\n"
           "格式示例（各项换成实际内容）：/indicator 指标ID 2025 数值 来源说明\n"
           "期间写年份（2024）或季度（2025Q3）；数值和来源以正式公布的为准；发送 /indicators 查看指标ID。")
UNKNOWN_ID = "没有指标“{id}”。可用的指标ID：{ids}"
NOT_A_NUMBER = "数值“{value}”不是数字，请只写数字，例如 7200 或 48.5（单位按指标的单位：{unit}）。"
BAD_PERIOD = "期间“{period}”看不懂：请写四位年份（如 2024）或年份加季度（如 2025Q3）。"
NO_PERIOD = "请写期间：年份（如 2024）或季度（如 2025Q3）。"
BAD_QUARTER = "期间“{period}”的季度不对：一年只有第1到第4季度（Q1–Q4），例如 2025Q3。"
FUTURE_PERIOD = "{period}还没到（今天是{today}），只能录入已经开始的期间的数据。"
TOO_EARLY = "{period}早于最早规划的基数年（{year}年），不能录入。"
NO_SOURCE = "请写明数据来源（发布单位和文件或公告的名称），公开答复会引用它。"
SOURCE_TOO_LONG = "来源太长了（{length}字），请控制在{limit}字以内。"
RECORDED = "已记录：{name} {period} = {value}{unit}（来源：{source}）。\n{progress}"
CORRECTED = "已更正：{name} {period} = {value}{unit}（原为 {old}{unit}；来源：{source}）。\n{progress}"

# The staff listing
LIST_TITLE = "【{plan}（{years}年）指标】基数{baseline_year}年 → 目标{target_year}年"
LIST_LINE = "· {name}（{id}）：{baseline} → {target}；{latest}"
LIST_NO_VALUE = "尚未录入"
LIST_VALUE = "{period} {value}{unit}，{progress}"
PROGRESS = "完成进度 {share}"
PROGRESS_PACE = "完成进度 {share}（按直线应达 {expected}，{pace}）"
PACE = {"ahead": "快于进度", "behind": "慢于进度", "on_track": "与进度持平"}
PROGRESS_NONE = "无法计算进度"
LEVEL = "{value}{unit}，对照目标 {target}{unit}：{verdict}"  # satisfaction: a level, not a share of the way
LEVEL_REACHED = "已达到"
LEVEL_NOT_REACHED = "未达到"
PROGRESS_TARGET_PENDING = "目标待发布，暂不计算进度"
PROGRESS_QUALITATIVE = "定性指标，不计算进度"
NO_BASELINE = "——"  # as the plan's table shows it
NOTE = "（注：{note}）"
LIST_FOOTER = "录入：/indicator 指标ID 期间 数值 来源；图表和报表见 ipbot indicators chart / report。"
NO_PLANS = "还没有规划文件（handlers/indicators/data/plan-*.yaml）。"

# Public answers: what the knowledge-base answer carries about the plan's figures
FIGURES_TITLE = "【已登记的指标数据】"
FIGURE_LINE = "· {name}：{period} {value}{unit}（来源：{source}）；{goal}。"
FIGURE_NONE = "· {name}：还没有登记公布的数据；{goal}。"
GOAL = "规划目标：到{target_year}年{target}{unit}"
GOAL_PENDING = "规划目标：待发布"
FIGURES_OTHERS = "其余{count}项指标还没有登记公布的数据。"
FIGURES_NOTE = "以上数据由州市场监督管理局（知识产权局）工作人员按公布的来源登记，以该局正式发布的为准。"

# The chart and the report
CHART_TITLE = "规划指标完成进度（基数→目标）"
CHART_EXPECTED = "按直线应达"
CHART_AXIS = "完成进度（%）"
REPORT_SHEET = "指标"
HISTORY_SHEET = "历次数据"
REPORT_HEADER = ("规划", "指标ID", "指标", "单位", "属性", "基数", "目标", "最新数值", "期间", "来源", "完成进度",
                 "按直线应达", "快慢")
HISTORY_HEADER = ("规划", "指标ID", "指标", "期间", "数值", "单位", "来源", "录入人")
RECORDED_AT = "录入时间（{zone}）"
TARGET_PENDING = "目标待发布"
CHART_FALLBACK = {"规划指标完成进度（基数→目标）": "Plan indicators: progress from baseline to target",
                  "按直线应达": "straight-line path", "完成进度（%）": "progress (%)",
                  TARGET_PENDING: "target not yet published"}

# Staff help lines (the command table in handlers/commands.py)
HELP_LIST = "规划指标：最新数据、完成进度和图表"
HELP_SET = "录入指标数据：/indicator 指标ID 期间 数值 来源"

# The final evaluation (终期评估): handlers/indicators/evaluation.py, its exports and its console page
EVAL_VERDICT = {"reached": "达到", "not_reached": "未达到", "qualitative": "定性指标，需评估判断",
                "no_figure": "未录入", "target_pending": "目标待发布"}
EVAL_NO_FIGURE = "未录入（没有{year}年数据）"
EVAL_NONE = "未录入"
EVAL_DASH = "—"
EVAL_TITLE = ("【{plan}（{years}年）终期评估】{document}；基数{baseline_year}年 → 目标{target_year}年；"
              "终期数值取{target_year}年的最新数据，是否达到按规划的评判方式")
EVAL_LINE = "· {name}（{id}）：基数 {baseline} → 目标 {target}（{measure}）；{final}"
EVAL_FINAL = "终期 {period} {value}（来源：{source}）—— {verdict}"
EVAL_EARLIER = "；此前最近：{period} {value}（来源：{source}）"
EVAL_COUNTS = ("共{total}项：达到{reached}项，未达到{not_reached}项，定性{qualitative}项，未录入{no_figure}项，"
               "目标待发布{target_pending}项。")
EVAL_SURVEY_TITLE = "满意度调查各期（规划目标 {target}）："
EVAL_NO_WAVES = "· 还没有调查。"
EVAL_WAVE = "· {name}：指数 {index}，{n}份答卷，95%区间 {interval}"
EVAL_NO_INTERVAL = "无（答卷不足）"
EVAL_TOO_FEW = "（答卷太少，不宜与目标比较）"
EVAL_NO_PLAN = "还没有规划文件（handlers/indicators/data/plan-*.yaml）。"
EVAL_SOURCE_PLAN = "规划文件：{document}"
# its workbook
EVAL_SHEET = "终期评估"
EVAL_HEADER = ("指标ID", "指标", "单位", "属性", "评判方式", "基数（{baseline_year}年）", "目标（{target_year}年）",
               "基数和目标的来源", "终期数值", "期间", "来源", "录入人", "是否达到", "此前最近数值", "其期间", "其来源",
               "注")
EVAL_SURVEY_SHEET = "满意度调查"
EVAL_SURVEY_HEADER = ("期次", "开始", "结束", "答卷数", "指数", "95%区间下限", "95%区间上限", "规划目标", "差距",
                      "说明")
EVAL_ABOUT_SHEET = "说明"
EVAL_ABOUT = (("规划", "{plan}（{years}年）"), ("文号", "{document}"), ("生成时间", "{generated}"),
              ("终期数值", "{target_year}年的最新数据（全年数据优先于季度数据）；"
                          "没有{target_year}年数据的指标列为“未录入”，并列出此前最近的数据供参考，不据此判断是否达到"),
              ("是否达到", "越高越好：终期数值不低于目标；越低越好：不高于目标；定性：不按数值判断，由评估人判断"),
              ("满意度", "{caveat}"))
# its chart
EVAL_CHART_TITLE = "{plan}终期评估：终期数值占目标的比例"
EVAL_CHART_AXIS = "终期数值 / 目标（%）"
EVAL_CHART_SURVEY = "满意度调查各期指数（95%区间）"
EVAL_CHART_TARGET = "规划目标"
EVAL_CHART_NOTE = "本地五级选项调查，与规划“%”口径不同；目标线仅作参照"
EVAL_CHART_FALLBACK = {"终期数值 / 目标（%）": "final value / target (%)",
                       "满意度调查各期指数（95%区间）": "Satisfaction survey index by wave (95% interval)",
                       "规划目标": "plan's target", "未录入": "no figure", "目标待发布": "target not published",
                       "定性指标，需评估判断": "qualitative",
                       EVAL_CHART_NOTE: "Local 5-option survey, not the plan's % measure; target line for reference"}
