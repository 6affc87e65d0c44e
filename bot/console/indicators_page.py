"""指标: the plan's indicators (handlers/indicators/data/) against their targets — baseline, target, the latest
figure with its period and source, progress and pace, every recorded figure — recording a figure (as the
chat's /indicator and `ipbot indicators set` do: handlers/indicators.record), the chart and the XLSX report
(handlers/indicator_export); and the final evaluation (终期评估) of the plan that ended, with its workbook and chart
(handlers/indicators/evaluation)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.console.web import ConsoleHandler
from handlers.indicators import evaluation as final_evaluation
from handlers.indicators import evaluation_export
from handlers.indicators import export as indicator_export
from handlers.indicators import progress as indicators
from handlers.indicators import texts as indicator_text
from handlers.indicators.plan import Plan, current_plans
from handlers.indicators.progress import IndicatorError, Status

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = "image/png"
FIELDS = ("indicator", "period", "value", "source")


def load(session: Session) -> list[Status]:
    return indicators.statuses(session, current_plans())


class IndicatorsPage(ConsoleHandler):
    async def show(self, form_error: str | None = None, values: dict[str, str] | None = None) -> None:
        listed = await self.read(load)
        plans: list[tuple[Plan, list[Status]]] = []
        for status in listed:
            if not plans or plans[-1][0] is not status.plan:
                plans.append((status.plan, []))
            plans[-1][1].append(status)
        choices = list(dict.fromkeys((s.indicator.id, s.indicator.name) for s in listed))
        self.page("indicators.html", status=400 if form_error else 200, form_error=form_error, plans=plans,
                  choices=choices, values=values or dict.fromkeys(FIELDS, ""), number=indicators.number,
                  percent=indicators.percent, pace_names=indicator_text.PACE,
                  recorded=[s for s in listed if s.history])

    async def get(self) -> None:
        await self.show()

    async def post(self) -> None:
        values = {name: self.form(name).strip()[:300] for name in FIELDS}
        who, now = f"{self.me.name}（工作台）", self.deps.clock()

        def act(session: Session) -> str:
            status, latest, before = indicators.record(session, current_plans(), values["indicator"],
                                                       values["period"], values["value"], values["source"], who, now)
            i = status.indicator
            fields = {"name": i.name, "period": latest.period.label, "value": indicators.number(latest.value),
                      "unit": i.unit, "source": latest.source, "progress": status.progress_text()}
            detail = f"{i.id} {latest.period} = {indicators.number(latest.value)}（{latest.source}）"
            if before is not None:
                detail += f"，原为 {indicators.number(before)}"
            self.audit(session, "indicator.record", detail)
            if before is not None:
                return indicator_text.CORRECTED.format(old=indicators.number(before), **fields)
            return indicator_text.RECORDED.format(**fields)

        try:
            said = await self.change(act)
        except IndicatorError as exc:
            await self.show(str(exc), values)
            return
        self.done(said, "/console/indicators")


class IndicatorChart(ConsoleHandler):
    async def get(self) -> None:
        data = await self.read(lambda s: indicator_export.to_png(load(s)))
        self.set_header("Content-Type", "image/png")
        if self.get_query_argument("download", None):
            self.set_header("Content-Disposition", 'attachment; filename="indicators.png"')
        self.finish(data)


class IndicatorReport(ConsoleHandler):
    async def get(self) -> None:
        data = await self.read(lambda s: indicator_export.to_xlsx(load(s), self.deps.zone))
        self.set_header("Content-Type", XLSX)
        self.set_header("Content-Disposition", 'attachment; filename="indicators.xlsx"')
        self.finish(data)


class EvaluationPage(ConsoleHandler):
    """终期评估: every indicator of the plan that ended, its final value and verdict; the survey's waves beside the
    plan's satisfaction target with the caveat; the workbook and the chart to download."""

    async def get(self) -> None:
        today = self.deps.clock().astimezone(self.deps.zone).date()
        found = await self.read(lambda s: final_evaluation.evaluate(s, current_plans(), self.deps.survey, today))
        self.page("indicators_evaluation.html", evaluation=found, number=indicators.number,
                  figure=final_evaluation.figure_text, baseline=final_evaluation.baseline_text,
                  interval=final_evaluation.interval_text, caveat=final_evaluation.survey_caveat(),
                  no_plan=indicator_text.EVAL_NO_PLAN, too_few=indicator_text.EVAL_TOO_FEW)


class EvaluationDownload(ConsoleHandler):
    async def get(self, kind: str) -> None:
        now = self.deps.clock()
        today = now.astimezone(self.deps.zone).date()
        found = await self.read(lambda s: final_evaluation.evaluate(s, current_plans(), self.deps.survey, today))
        if found is None:
            self.send_error(404)
            return
        if kind == "xlsx":
            data, media_type = evaluation_export.to_xlsx(found, self.deps.zone, now), XLSX
        else:
            data, media_type = evaluation_export.to_png(found), PNG
        self.set_header("Content-Type", media_type)
        if kind == "xlsx" or self.get_query_argument("download", None):
            name = f"evaluation-{found.plan.start_year}-{found.plan.end_year}.{kind}"
            self.set_header("Content-Disposition", f'attachment; filename="{name}"')
        self.finish(data)
