"""What an indicator name means: which questions, with which coefficients.

``overall`` and any likert or vote question id are one rate each; an element id is the mean
of its criteria's rates; ``sipas`` is the (weighted) mean of the element indices
(docs/questionnaire.md). Elements gather their criteria from every published form's ``aggregation``
block. A form that asks one question per element (``counter-quick``) answers every
criterion of that element with it: "its element answers count as the element indices".
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


def indices(catalog: FormCatalog) -> set[str]:
    """The indices the forms roll up into: ``sipas`` and those of other services."""
    return {SIPAS} | {loaded.definition.aggregation.index for loaded in catalog.loaded()}


def elements(
    catalog: FormCatalog, index: str | None = SIPAS
) -> dict[str, tuple[tuple[str, ...], float]]:
    """Element id → (its detailed criteria over all forms, its weight in the index), for
    the elements of ``index`` (of every index when None).

    An element asked as one question (criteria = the element's own id) stands in for the
    detailed criteria where another form has them.
    """
    found: dict[str, tuple[list[str], float]] = {}
    for loaded in catalog.loaded():
        aggregation = loaded.definition.aggregation
        if index is not None and aggregation.index != index:
            continue
        for element in aggregation.elements:
            criteria, _ = found.setdefault(element.id, ([], element.weight))
            if element.criteria != (element.id,):
                criteria.extend(q for q in element.criteria if q not in criteria)
    return {eid: (tuple(criteria) or (eid,), weight) for eid, (criteria, weight) in found.items()}


def stand_ins(catalog: FormCatalog) -> dict[str, str]:
    """Detailed criterion → the element question that answers it on one-question forms."""
    mapping: dict[str, str] = {}
    for eid, (criteria, _) in elements(catalog, index=None).items():
        for criterion in criteria:
            if criterion != eid:
                mapping[criterion] = eid
    return mapping


def known_indicators(catalog: FormCatalog) -> set[str]:
    return indices(catalog) | set(elements(catalog, None)) | set(scored_questions(catalog))


def plan(catalog: FormCatalog, indicator: str) -> IndicatorPlan:
    """The plan for ``indicator``; KeyError when it names nothing known."""
    if indicator in indices(catalog):
        element_map = elements(catalog, indicator)
        total_weight = sum(weight for _, weight in element_map.values())
        questions: list[str] = []
        coefficients: list[float] = []
        for criteria, weight in element_map.values():
            for question in criteria:
                questions.append(question)
                coefficients.append(weight / total_weight / len(criteria))
        return IndicatorPlan(indicator, tuple(questions), tuple(coefficients), True)
    element_map = elements(catalog, None)
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
    scored = scored_questions(catalog)
    if base.is_index:
        # The detailed criteria, then the element questions of one-question forms.
        substitutes = stand_ins(catalog)
        questions = [*base.questions]
        questions += [e for e in dict.fromkeys(substitutes[q] for q in base.questions
                      if q in substitutes) if e in scored]  # fmt: skip
    elif indicator == "overall":
        questions = list(scored)
    else:
        questions = list(base.questions)
    return [IndicatorPlan(q, (q,), (1.0,), False) for q in questions]
