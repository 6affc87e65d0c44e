"""Survey scoring on hand-computed fixtures (the conversation itself is issue #4's next step)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.datafile import DataFileError
from handlers.survey import definition as survey_definition
from handlers.survey.scoring import Answered, index_of, report

SMALL = """
version: "t1"
title: 测试
consent: 同意吗
target: 85
baseline: 76.91
options:
  - {label: 非常满意, score: 100}
  - {label: 满意, score: 80}
  - {label: 一般, score: 60}
  - {label: 不满意, score: 40}
  - {label: 非常不满意, score: 20}
  - {label: 不了解, score: null}
groups:
  - {label: 企业, weight: 1}
  - {label: 公众, weight: 2}
counties: [博乐市, 精河县]
dimensions:
  - name: 甲
    weight: 1
    items:
      - {id: a1, text: 一}
      - {id: a2, text: 二}
  - name: 乙
    weight: 1
    items:
      - {id: b1, text: 三}
"""


@pytest.fixture
def small(tmp_path: Path) -> survey_definition.SurveyDefinition:
    path = tmp_path / "survey.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return survey_definition.load(path)


def test_the_shipped_definition_loads_with_the_five_dimensions() -> None:
    definition = survey_definition.load()
    assert [d.name for d in definition.dimensions] == ["法律政策", "执法保护", "机制建设", "意识培养", "保护效果"]
    assert [label for label, _ in definition.options] == list(survey_definition.REQUIRED_OPTIONS)


def test_index_by_hand_with_unknown_answers_and_group_weights(small: survey_definition.SurveyDefinition) -> None:
    responses = [
        Answered("r1", "企业", "博乐市", {"a1": "非常满意", "a2": "满意", "b1": "一般"}),
        Answered("r2", "公众", "精河县", {"a1": "满意", "a2": "不了解", "b1": "不满意"}),
    ]
    # a1 = (100*1 + 80*2)/3 = 86.67; a2 = 80 (不了解 left out); 甲 = 83.33
    # b1 = (60*1 + 40*2)/3 = 46.67 = 乙; index = (83.33 + 46.67)/2 = 65.00
    result = report(small, "2026Q4", responses, previous_index=60.0)
    assert result.dimensions == {"甲": 83.33, "乙": 46.67}
    assert result.index == 65.0 and result.change_since_previous == 5.0 and result.gap_to_target == 20.0
    assert result.ci95 is not None and result.ci95[0] < 65.0 < result.ci95[1]


def test_small_cells_are_suppressed(small: survey_definition.SurveyDefinition) -> None:
    responses = [Answered(f"r{i}", "企业", "博乐市", {"a1": "满意", "a2": "满意", "b1": "满意"}) for i in range(5)]
    responses.append(Answered("x", "公众", "精河县", {"a1": "一般", "a2": "一般", "b1": "一般"}))
    result = report(small, "w", responses)
    assert result.groups["企业"] is not None and result.groups["企业"].n == 5 and result.groups["企业"].index == 80.0
    assert result.groups["公众"] is None and result.counties["精河县"] is None
    assert result.as_json()["groups"]["公众"] is None


def test_only_unknown_answers_give_no_index(small: survey_definition.SurveyDefinition) -> None:
    assert index_of(small, [Answered("r", "企业", "博乐市", {"a1": "不了解", "b1": "不了解"})]) is None
    assert report(small, "w", []).index is None


def test_a_broken_definition_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "survey.yaml"
    path.write_text(SMALL.replace("{label: 公众, weight: 2}", "{label: 公众, weight: -2}")
                    .replace("{id: b1, text: 三}", "{id: a1, text: 三}"), encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        survey_definition.load(path)
    messages = [str(p) for p in info.value.problems]
    assert any(m.startswith(f"{path}:16:") and "weight: must be more than 0" in m for m in messages)
    assert any("item id 'a1' is used twice" in m for m in messages)


def test_confidence_interval_by_hand(small: survey_definition.SurveyDefinition) -> None:
    responses = [
        Answered("r1", "企业", "博乐市", {"a1": "一般", "a2": "一般", "b1": "一般"}),  # own index 60
        Answered("r2", "企业", "博乐市", {"a1": "满意", "a2": "满意", "b1": "满意"}),  # own index 80
    ]
    # mean 70; sample variance 200; n = 2 -> half-width 1.96 * sqrt(200 / 2) = 19.60
    result = report(small, "w", responses)
    assert result.index == 70.0 and result.ci95 == (50.4, 89.6)


def test_each_dimension_has_its_n_and_a_normal_approximation_interval(
        small: survey_definition.SurveyDefinition) -> None:
    picks = ["非常满意", "满意", "一般", "不了解"]  # 乙: 100, 80, 60 and one who does not know
    responses = [Answered(f"r{i}", "企业", "博乐市", {"a1": "满意", "b1": pick}) for i, pick in enumerate(picks)]
    result = report(small, "2026Q4", responses)
    assert result.dimension_n == {"甲": 4, "乙": 3}
    # 乙: mean 80, sample sd 20, se 20/√3 = 11.547, ± 1.96 se = 22.63 → (57.37, 102.63) capped at 100
    assert result.dimension_ci95 == {"甲": (80.0, 80.0), "乙": (57.37, 100.0)}
    assert result.as_json()["dimension_n"] == {"甲": 4, "乙": 3}
    one = report(small, "2026Q4", responses[:1])
    assert one.dimension_n == {"甲": 1, "乙": 1} and one.dimension_ci95 == {"甲": None, "乙": None}
