"""What an indicator name means: which questions, with which coefficients.

``overall`` and any likert or vote question id are one rate each; an element id is the mean
of its criteria's rates; ``sipas`` is the (weighted) mean of the element indices
(SIPAS.md). Elements gather their criteria from every published form's ``aggregation``
block, so a quick form's one element question and a full form's criteria both count.
"""

from dataclasses import dataclass

from app.surveys.forms import Choice3, FormCatalog, Likert5

SIPAS = "sipas"


@dataclass(frozen=True, slots=True)
class IndicatorPlan:
    """One indicator to estimate: Σ coefficient × rate(question)."""

    name: str
    questions: tuple[str, ...]
    coefficients: tuple[float, ...]
    is_index: bool


def scored_questions(catalog: FormCatalog) -> dict[str, Likert5 | Choice3]:
    """Every likert or vote question of every published form, by id, in form order."""
    found: dict[str, Likert5 | Choice3] = {}
    for loaded in catalog.loaded():
        for question in loaded.definition.scored_questions():
            found.setdefault(question.id, question)
    return found


def elements(catalog: FormCatalog) -> dict[str, tuple[tuple[str, ...], float]]:
    """Element id → (its criteria over all forms, its weight in the index)."""
    found: dict[str, tuple[list[str], float]] = {}
    for loaded in catalog.loaded():
        for element in loaded.definition.aggregation.elements:
            criteria, _ = found.setdefault(element.id, ([], element.weight))
            criteria.extend(q for q in element.criteria if q not in criteria)
    return {eid: (tuple(criteria), weight) for eid, (criteria, weight) in found.items()}


def known_indicators(catalog: FormCatalog) -> set[str]:
    return {SIPAS} | set(elements(catalog)) | set(scored_questions(catalog))


def plan(catalog: FormCatalog, indicator: str) -> IndicatorPlan:
    """The plan for ``indicator``; KeyError when it names nothing known."""
    element_map = elements(catalog)
    if indicator == SIPAS:
        total_weight = sum(weight for _, weight in element_map.values())
        questions: list[str] = []
        coefficients: list[float] = []
        for criteria, weight in element_map.values():
            for question in criteria:
                questions.append(question)
                coefficients.append(weight / total_weight / len(criteria))
        return IndicatorPlan(SIPAS, tuple(questions), tuple(coefficients), True)
    if indicator in element_map:
        criteria, _ = element_map[indicator]
        if criteria == (indicator,):
            return IndicatorPlan(indicator, criteria, (1.0,), False)
        share = 1.0 / len(criteria)
        return IndicatorPlan(indicator, criteria, (share,) * len(criteria), True)
    if indicator in scored_questions(catalog):
        return IndicatorPlan(indicator, (indicator,), (1.0,), False)
    raise KeyError(indicator)


def question_plans(catalog: FormCatalog, indicator: str) -> list[IndicatorPlan]:
    """``by=question``: one rate per question of the indicator (all scored questions for
    ``overall``)."""
    base = plan(catalog, indicator)
    questions = base.questions if base.is_index else tuple(scored_questions(catalog))
    if not base.is_index and indicator != "overall":
        questions = base.questions
    return [IndicatorPlan(q, (q,), (1.0,), False) for q in questions]
