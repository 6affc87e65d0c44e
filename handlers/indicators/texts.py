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
HISTORY_HEADER = ("规划", "指标ID", "指标", "期间", "数值", "单位", "来源", "录入人", "录入时间（UTC）")
TARGET_PENDING = "目标待发布"
CHART_FALLBACK = {"规划指标完成进度（基数→目标）": "Plan indicators: progress from baseline to target",
                  "按直线应达": "straight-line path", "完成进度（%）": "progress (%)",
                  TARGET_PENDING: "target not yet published"}

# Staff help lines (the command table in handlers/commands.py)
HELP_LIST = "规划指标：最新数据、完成进度和图表"
HELP_SET = "录入指标数据：/indicator 指标ID 期间 数值 来源"
