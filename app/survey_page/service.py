"""What the survey page shows, and turning its form post into a submission.

The page keeps no state on the server: a form of several pages carries the answers of
the other pages as hidden fields, so it works the same with JavaScript off.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from app.errors import NotFound
from app.models import UNKNOWN_SECTOR, Counter, Procedure, Sector, Unit
from app.submissions.schemas import AnswerValue, SubmissionIn
from app.submissions.tokens import Signed
from app.surveys.forms import (
    LIKERT_LABELS,
    Choice3,
    FormCatalog,
    FreeText,
    Likert5,
    MultiChoice,
    SurveyFormDefinition,
    YesNo,
)
from app.surveys.links import Link, resolve_link
from app.text import vietnamese_key

# Which form a link shows unless the address asks for another (``?form=``): the quick
# form at a counter; the full form of the service for an invitation, answered at leisure.
COUNTER_FORM = "counter-quick"
FULL_FORM = "sipas-service"
ONLINE_FORM = "online-service"
SECTOR_FORMS = {"health": "health-service", "education": "education-service"}
CHOICE3_LABELS = {
    "vi": {3: "Rất hài lòng", 2: "Hài lòng", 1: "Không hài lòng"},
    "en": {3: "Very satisfied", 2: "Satisfied", 1: "Not satisfied"},
}
YES_NO_LABELS = {"vi": {1: "Có", 2: "Không"}, "en": {1: "Yes", 2: "No"}}


# What each sector means to a citizen, in plain words: few know that a birth certificate
# is "Tư pháp – hộ tịch". Shown beside the sector's name where the page asks for it.
SECTOR_EXAMPLES = {
    "land": ("sổ đỏ, sang tên, đăng ký biến động đất đai", "land-use certificates, transfers"),
    "construction": ("giấy phép xây dựng, sửa chữa nhà", "building permits, repairs"),
    "investment": ("dự án đầu tư", "investment projects"),
    "health": ("khám chữa bệnh, giấy phép hành nghề y dược", "medical care, health licences"),
    "education": ("chuyển trường, văn bằng, chứng chỉ", "school transfers, diplomas"),
    "justice": ("khai sinh, kết hôn, chứng thực bản sao", "births, marriages, certified copies"),
    "labour": ("trợ cấp, người có công, bảo trợ xã hội", "allowances, social support"),
    "transport": ("vận tải, đường bộ, đường thủy", "transport, roads, waterways"),
    "business": ("đăng ký hộ kinh doanh, doanh nghiệp", "household businesses, companies"),
}
# Last in the list, in this order, whatever their names: the answers of those who are unsure.
_LAST_SECTORS = ("other", UNKNOWN_SECTOR)


@dataclass(frozen=True, slots=True)
class SectorChoice:
    code: str
    name: str
    examples: str


@dataclass
class PageContext:
    """Everything the template needs for one survey link's page."""

    slug: str
    unit: Unit
    place: str  # the counter's name, or the procedure's for an invitation
    form: SurveyFormDefinition
    # The link's sector when it has one; otherwise the page asks last, optional.
    sectors: list[Sector] = field(default_factory=list)
    counter_id: int | None = None  # None for an invitation

    def sector_choices(self, language: str) -> list[SectorChoice]:
        """The sectors in the page's language and alphabetical order, "other" and "not
        known" last."""
        vi = language == "vi"
        choices = [
            SectorChoice(s.code, s.name_vi if vi else s.name_en,
                         SECTOR_EXAMPLES.get(s.code, ("", ""))[0 if vi else 1])
            for s in self.sectors
        ]  # fmt: skip
        last = {code: index for index, code in enumerate(_LAST_SECTORS)}
        return sorted(
            choices,
            key=lambda c: (last.get(c.code, -1), vietnamese_key(c.name) if vi else c.name),
        )


def default_form_id(link: Link) -> str:
    if link.channel == "online":
        return ONLINE_FORM
    if link.sector in SECTOR_FORMS:
        return SECTOR_FORMS[link.sector]
    return COUNTER_FORM if link.counter_id is not None else FULL_FORM


def _form_for(
    catalog: FormCatalog, link: Link, form_id: str | None, version: int | None
) -> SurveyFormDefinition | None:
    wanted = form_id or default_form_id(link)
    form = catalog.get(wanted, version) if version else catalog.latest(wanted)
    if form is None or link.channel not in form.channels:
        # An address naming a form this link cannot use gets the link's own form.
        return catalog.latest(default_form_id(link)) if form_id else None
    return form


def page_context(
    session: Session,
    catalog: FormCatalog,
    slug: str,
    form_id: str | None = None,
    version: int | None = None,
) -> PageContext:
    """The page behind ``slug``: NotFound for none, Gone for a used or expired invitation."""
    link = resolve_link(session, slug)
    if link is None:
        raise NotFound("no survey at this address")
    form = _form_for(catalog, link, form_id, version)
    if form is None:
        raise NotFound("no survey at this address")
    unit = session.get(Unit, link.unit_id)
    assert unit is not None
    if link.counter_id is not None:
        counter = session.get(Counter, link.counter_id)
        place = counter.name if counter else ""
    else:
        procedure = session.get(Procedure, link.procedure_code) if link.procedure_code else None
        place = procedure.name if procedure else ""
    sectors = [] if link.sector else list(session.exec(select(Sector)))
    return PageContext(slug, unit, place, form, sectors, link.counter_id)


def options(question: Any, language: str) -> list[tuple[int, str]]:
    """The answer choices of a coded question, best first, in the page's language."""
    if isinstance(question, Likert5):
        labels = LIKERT_LABELS[language]
        codes = [5, 4, 3, 2, 1] + ([0] if question.allow_not_applicable else [])
        return [(code, labels[code]) for code in codes]
    if isinstance(question, Choice3):
        return list(CHOICE3_LABELS[language].items())
    if isinstance(question, YesNo):
        return list(YES_NO_LABELS[language].items())
    return [(o.code, getattr(o.label, language)) for o in question.options]


def page_of(form: SurveyFormDefinition, question_id: str) -> int:
    """The index of the page that asks ``question_id`` (the first page for other fields)."""
    for index, page in enumerate(form.pages):
        if question_id in page.questions:
            return index
    return 0


def first_page_with(form: SurveyFormDefinition, fields: Iterable[str]) -> int:
    return min((page_of(form, name) for name in fields), default=0)


def answers_from_form(
    form: SurveyFormDefinition, fields: dict[str, list[str]], only: Iterable[str] | None = None
) -> tuple[dict[str, AnswerValue], dict[str, str]]:
    """The posted answers (of the questions in ``only``, or all), and the fields whose
    values are not numbers where numbers belong."""
    wanted = set(only) if only is not None else None
    problems: dict[str, str] = {}
    answers: dict[str, AnswerValue] = {}
    for question in form.questions:
        if wanted is not None and question.id not in wanted:
            continue
        values = [v for v in fields.get(question.id, []) if v != ""]
        if not values:
            continue
        if isinstance(question, FreeText):
            answers[question.id] = values[0].strip() or None
            continue
        try:
            codes = [int(v) for v in values]
        except ValueError:
            problems[question.id] = "invalid"
            continue
        answers[question.id] = codes if isinstance(question, MultiChoice) else codes[0]
    return answers, problems


def submission_from_form(
    context: PageContext,
    fields: dict[str, list[str]],
    language: str,
    signed: Signed,
) -> tuple[SubmissionIn | None, dict[str, str]]:
    """The posted fields as a submission under the page token's id; values that are not
    numbers are reported."""
    answers, problems = answers_from_form(context.form, fields)
    if problems:
        return None, problems
    token, page_token = signed
    sector = next(iter(fields.get("sector") or []), "") or None
    if sector is None and context.sectors:
        sector = UNKNOWN_SECTOR  # asked, optional, not answered: the citizen does not know
    return (
        SubmissionIn(
            id=page_token.response_id,
            slug=context.slug,
            form_id=context.form.id,
            form_version=context.form.version,
            language="en" if language == "en" else "vi",
            sector=sector,
            answers=answers,
            token=token,
        ),
        {},
    )
