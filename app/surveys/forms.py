"""Survey forms as data: the schema of ``survey_forms/<id>.v<N>.toml`` and its loader.

A form file is validated when it is loaded; a broken file stops start-up with the file and
the field named. Question types are a discriminated union on ``type``.
"""

import hashlib
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.privacy import mask_personal_data
from app.text import NOT_UNICODE, clean_text, has_surrogate
from survey_forms import FORMS_DIR

_FILE_NAME = re.compile(r"^(?P<id>[a-z0-9][a-z0-9-]*)\.v(?P<version>[1-9][0-9]*)\.toml$")
QUESTION_ID = r"^[a-z][a-z0-9_]*$"
NOT_APPLICABLE = 0
# Single-valued answers are stored one character each: the code in base 36, '.' = none.
CODE_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
NO_ANSWER = "."
MAX_SLOTS = 64
# The questionnaire's questions on misconduct (sipas-service): 1 "Không" (no), 2 and 3
# "yes, a few times" and "yes, many times".
REPORTED_PROBLEMS = ("harassment", "informal_payment")
NO_PROBLEM = 1
LIKERT_LABELS = {
    "vi": {5: "Rất hài lòng", 4: "Hài lòng", 3: "Bình thường", 2: "Không hài lòng",
           1: "Rất không hài lòng", 0: "Không có ý kiến"},
    "en": {5: "Very satisfied", 4: "Satisfied", 3: "Neutral", 2: "Dissatisfied",
           1: "Very dissatisfied", 0: "No opinion"},
}  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(_Strict):
    """Wording in Vietnamese (required) and English."""

    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Option(_Strict):
    code: int = Field(ge=1, le=99)
    label: Label


class ShowIf(_Strict):
    """Show a question only when another question's code falls in a range or a set."""

    question: str = Field(pattern=QUESTION_ID)
    min: int | None = None
    max: int | None = None
    any_of: tuple[int, ...] | None = None

    def holds(self, code: int | None) -> bool:
        if code is None or code == NOT_APPLICABLE:
            return False
        if self.min is not None and code < self.min:
            return False
        if self.max is not None and code > self.max:
            return False
        return self.any_of is None or code in self.any_of


class _QuestionBase(_Strict):
    id: str = Field(pattern=QUESTION_ID, max_length=64)
    label: Label
    hint: Label | None = None
    required: bool = False
    show_if: ShowIf | None = None


class Likert5(_QuestionBase):
    """Five levels, 1 Rất không hài lòng … 5 Rất hài lòng; 0 = no opinion / not used."""

    type: Literal["likert5"]
    allow_not_applicable: bool = True

    # What counts as satisfied, for every estimate (docs/method.md); 0 is outside both.
    satisfied_codes: ClassVar[tuple[int, ...]] = (4, 5)
    unsatisfied_codes: ClassVar[tuple[int, ...]] = (1, 2, 3)
    # "Không hài lòng" or worse: what an alert rule calls dissatisfied (3 is neutral).
    dissatisfied_codes: ClassVar[tuple[int, ...]] = (1, 2)

    @cached_property
    def codes(self) -> frozenset[int]:
        return frozenset(range(0 if self.allow_not_applicable else 1, 6))


class Choice3(_QuestionBase):
    """The one-stop rules' counter vote: 1 Không hài lòng, 2 Hài lòng, 3 Rất hài lòng."""

    type: Literal["choice3"]
    satisfied_codes: ClassVar[tuple[int, ...]] = (2, 3)
    unsatisfied_codes: ClassVar[tuple[int, ...]] = (1,)
    dissatisfied_codes: ClassVar[tuple[int, ...]] = (1,)

    @cached_property
    def codes(self) -> frozenset[int]:
        return frozenset({1, 2, 3})


class SingleChoice(_QuestionBase):
    type: Literal["single_choice"]
    options: tuple[Option, ...] = Field(min_length=2)

    @cached_property
    def codes(self) -> frozenset[int]:
        return frozenset(option.code for option in self.options)


class MultiChoice(_QuestionBase):
    type: Literal["multi_choice"]
    options: tuple[Option, ...] = Field(min_length=2)
    max_selected: int | None = Field(default=None, ge=1)

    @cached_property
    def codes(self) -> frozenset[int]:
        return frozenset(option.code for option in self.options)


class YesNo(_QuestionBase):
    """1 = Có (yes), 2 = Không (no)."""

    type: Literal["yes_no"]

    @cached_property
    def codes(self) -> frozenset[int]:
        return frozenset({1, 2})


class FreeText(_QuestionBase):
    type: Literal["text"]
    max_length: int = Field(default=2000, ge=1, le=2000)


Question = Annotated[
    Likert5 | Choice3 | SingleChoice | MultiChoice | YesNo | FreeText,
    Field(discriminator="type"),
]
SingleValued = Likert5 | Choice3 | SingleChoice | YesNo


class Page(_Strict):
    id: str = Field(pattern=QUESTION_ID)
    title: Label
    questions: tuple[str, ...] = Field(min_length=1)


class Element(_Strict):
    """An element of the index: the mean of its criteria's satisfaction rates."""

    id: str = Field(pattern=QUESTION_ID)
    label: Label
    criteria: tuple[str, ...] = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0)


class Aggregation(_Strict):
    """How criteria roll up: criteria → elements → the service index (``sipas``)."""

    overall: str = Field(default="overall", pattern=QUESTION_ID)
    # The index these elements roll up into: the SIPAS service index unless the form
    # measures another service (online, health, education) with elements of its own.
    index: str = Field(default="sipas", pattern=QUESTION_ID)
    elements: tuple[Element, ...] = ()


class SurveyFormDefinition(_Strict):
    """One version of a form, as published."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: int = Field(ge=1)
    title: Label
    intro: Label | None = None
    channels: tuple[Literal["counter", "online", "paper"], ...] = ("counter", "online", "paper")
    adaptation_note: str | None = None
    pages: tuple[Page, ...] = Field(min_length=1)
    questions: tuple[Question, ...] = Field(min_length=1)
    aggregation: Aggregation = Aggregation()

    @model_validator(mode="after")
    def _references_resolve(self) -> "SurveyFormDefinition":
        ids = [question.id for question in self.questions]
        duplicates = sorted({qid for qid in ids if ids.count(qid) > 1})
        if duplicates:
            raise ValueError(f"question ids repeated: {', '.join(duplicates)}")
        known = set(ids)
        on_pages = [qid for page in self.pages for qid in page.questions]
        if unknown := sorted(set(on_pages) - known):
            raise ValueError(f"pages name unknown questions: {', '.join(unknown)}")
        if missing := sorted(known - set(on_pages)):
            raise ValueError(f"questions on no page: {', '.join(missing)}")
        by_id = {question.id: question for question in self.questions}
        for question in self.questions:
            if question.show_if and question.show_if.question not in known:
                raise ValueError(f"{question.id}.show_if names unknown question")
        if len(self.slots) > MAX_SLOTS:
            raise ValueError(f"at most {MAX_SLOTS} single-valued coded questions per form")
        for question in self.questions:
            if isinstance(question, SingleChoice) and max(question.codes) >= len(CODE_ALPHABET):
                raise ValueError(f"{question.id}: single-choice codes must be below 36")
        scored = {qid for qid, q in by_id.items() if isinstance(q, Likert5 | Choice3)}
        if self.aggregation.overall not in scored:
            raise ValueError("aggregation.overall must name a likert5 or choice3 question")
        for element in self.aggregation.elements:
            if bad := sorted(set(element.criteria) - scored):
                raise ValueError(
                    f"aggregation element {element.id} names non-scored criteria: {', '.join(bad)}"
                )
        return self

    @cached_property
    def by_id(self) -> dict[str, Likert5 | Choice3 | SingleChoice | MultiChoice | YesNo | FreeText]:
        return {question.id: question for question in self.questions}

    @cached_property
    def required_questions(
        self,
    ) -> tuple[Likert5 | Choice3 | SingleChoice | MultiChoice | YesNo | FreeText, ...]:
        return tuple(q for q in self.questions if q.required)

    @cached_property
    def likert_ids(self) -> frozenset[str]:
        return frozenset(q.id for q in self.questions if isinstance(q, Likert5))

    @cached_property
    def multi_choice_ids(self) -> frozenset[str]:
        return frozenset(q.id for q in self.questions if isinstance(q, MultiChoice))

    @cached_property
    def slots(self) -> tuple[str, ...]:
        """Single-valued coded questions in form order: position k is character k of
        ``answer_codes``."""
        return tuple(q.id for q in self.questions if isinstance(q, SingleValued))

    @cached_property
    def single_valued_codes(self) -> dict[str, frozenset[int]]:
        return {q.id: q.codes for q in self.questions if isinstance(q, SingleValued)}

    @cached_property
    def slot_index(self) -> dict[str, int]:
        return {qid: index for index, qid in enumerate(self.slots)}

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)

    def scored_questions(self) -> list[Likert5 | Choice3]:
        """Questions that carry a satisfaction rate (likert5 and choice3)."""
        return [q for q in self.questions if isinstance(q, Likert5 | Choice3)]


@dataclass(frozen=True, slots=True)
class LoadedForm:
    definition: SurveyFormDefinition
    path: Path
    sha256: str


class FormFileError(Exception):
    """A form file that cannot be published: the message names the file and the field."""


def load_form_file(path: Path) -> LoadedForm:
    match = _FILE_NAME.match(path.name)
    if match is None:
        raise FormFileError(f"{path}: file name must be <form-id>.v<N>.toml")
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise FormFileError(f"{path}: {exc}") from exc
    try:
        definition = SurveyFormDefinition.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or '(form)'}: {error['msg']}"
            for error in exc.errors()
        )
        raise FormFileError(f"{path}: {problems}") from exc
    if (definition.id, definition.version) != (match["id"], int(match["version"])):
        raise FormFileError(f"{path}: id and version must match the file name")
    return LoadedForm(definition, path, hashlib.sha256(raw).hexdigest())


class FormCatalog:
    """Every form version found in a directory, validated."""

    def __init__(self, forms: Iterable[LoadedForm]) -> None:
        self._forms = {form.definition.key: form for form in forms}

    @classmethod
    def from_directory(cls, directory: Path = FORMS_DIR) -> "FormCatalog":
        return cls(load_form_file(path) for path in sorted(directory.glob("*.toml")))

    def get(self, form_id: str, version: int) -> SurveyFormDefinition | None:
        loaded = self._forms.get((form_id, version))
        return loaded.definition if loaded else None

    def loaded(self) -> list[LoadedForm]:
        return list(self._forms.values())

    def latest(self, form_id: str) -> SurveyFormDefinition | None:
        versions = [key[1] for key in self._forms if key[0] == form_id]
        return self.get(form_id, max(versions)) if versions else None

    def __len__(self) -> int:
        return len(self._forms)


@dataclass(frozen=True, slots=True)
class ValidatedAnswers:
    """Answers checked against a form: coded rows, free texts, and the problems found."""

    codes: tuple[tuple[str, int], ...]
    texts: tuple[tuple[str, str], ...]
    errors: tuple[tuple[str, str], ...]


def validate_answers(
    form: SurveyFormDefinition,
    answers: Mapping[str, int | str | list[int] | None],
    *,
    enforce_required: bool = True,
) -> ValidatedAnswers:
    """Check answers against ``form``.

    Values are a code (int), a list of codes (multi-choice), a text, or ``None`` for no
    answer. Errors are ``(question id, reason)`` pairs, every one of them, not only the first.
    ``enforce_required=False`` takes a form as it was filled in, blanks and all (a paper
    questionnaire: what the citizen left blank is "not answered", never made up).
    """
    codes: list[tuple[str, int]] = []
    texts: list[tuple[str, str]] = []
    errors: list[tuple[str, str]] = []
    given: dict[str, int] = {}
    by_id = form.by_id
    for qid, value in answers.items():
        question = by_id.get(qid)
        if question is None:
            errors.append((qid, "unknown question"))
            continue
        if value is None or value == "" or value == []:
            continue
        single = form.single_valued_codes.get(qid)
        if type(value) is int and single is not None and value in single:
            # The common case, kept short: a valid code for a single-valued question.
            codes.append((qid, value))
            given[qid] = value
            continue
        if isinstance(question, FreeText):
            if not isinstance(value, str):
                errors.append((qid, "must be text"))
            elif "\x00" in value:
                errors.append((qid, "must not contain a NUL character"))
            elif has_surrogate(value):
                errors.append((qid, NOT_UNICODE))
            elif len(text := clean_text(value)) > question.max_length:
                errors.append((qid, f"longer than {question.max_length} characters"))
            else:
                # Masked before it is stored: a number a citizen wrote never reaches disk.
                texts.append((qid, mask_personal_data(text)))
            continue
        if isinstance(value, list) and not isinstance(question, MultiChoice):
            errors.append((qid, "takes one answer code, not a list"))
            continue
        selected = value if isinstance(value, list) else [value]
        numbers = [c for c in selected if isinstance(c, int) and not isinstance(c, bool)]
        if len(numbers) != len(selected):
            errors.append((qid, "must be an answer code (integer)"))
            continue
        allowed = question.codes
        bad = sorted({code for code in numbers if code not in allowed})
        if bad:
            listed = ", ".join(str(code) for code in sorted(allowed))
            errors.append((qid, f"code {bad[0]} is not one of {listed}"))
            continue
        limit = question.max_selected if isinstance(question, MultiChoice) else None
        if limit is not None and len(set(numbers)) > limit:
            errors.append((qid, f"at most {limit} choices"))
            continue
        codes.extend((qid, code) for code in sorted(set(numbers)))
        given[qid] = numbers[0]
    for question in form.required_questions if enforce_required else ():
        if question.id in given:
            continue
        condition = question.show_if
        if condition is not None and not condition.holds(given.get(condition.question)):
            continue
        if all(qid != question.id for qid, _ in texts) and all(
            qid != question.id for qid, _ in errors
        ):
            errors.append((question.id, "an answer is required"))
    return ValidatedAnswers(tuple(codes), tuple(texts), tuple(errors))


def encode_codes(form: SurveyFormDefinition, codes: Iterable[tuple[str, int]]) -> str:
    """The ``answer_codes`` string of a response: one character per slot of ``form``."""
    chars = [NO_ANSWER] * len(form.slots)
    position = form.slot_index
    for qid, code in codes:
        index = position.get(qid)
        if index is not None:
            chars[index] = CODE_ALPHABET[code]
    return "".join(chars)


def decode_codes(form: SurveyFormDefinition, answer_codes: str) -> dict[str, int]:
    """The single-valued answers stored in ``answer_codes``, by question id."""
    return {
        qid: CODE_ALPHABET.index(char)
        for qid, char in zip(form.slots, answer_codes, strict=False)
        if char != NO_ANSWER
    }
