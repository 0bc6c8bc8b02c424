"""Forms as data: validated when loaded, and a published version never changes."""

import hashlib
from pathlib import Path

import pytest
from sqlmodel import Session

from app.stats.indicators import plan
from app.surveys.forms import (
    FormCatalog,
    FormFileError,
    decode_codes,
    encode_codes,
    load_form_file,
    validate_answers,
)
from app.surveys.service import register_forms
from survey_forms import FORMS_DIR

PUBLISHED = Path(__file__).with_name("published_forms.sha256")


def test_published_form_versions_are_never_edited() -> None:
    """Changing a published form is a new version: add a file, never edit one."""
    recorded: dict[str, str] = {}
    for line in PUBLISHED.read_text().splitlines():
        digest, name = line.split("  ")
        recorded[name] = digest
    for name, digest in recorded.items():
        actual = hashlib.sha256((FORMS_DIR / name).read_bytes()).hexdigest()
        assert actual == digest, f"{name} was edited after publication"
    unrecorded = {p.name for p in FORMS_DIR.glob("*.toml")} - set(recorded)
    assert not unrecorded, f"record the digest of new form versions: {unrecorded}"


def test_counter_quick_has_the_five_elements_and_overall(catalog: FormCatalog) -> None:
    form = catalog.get("counter-quick", 1)
    assert form is not None
    assert form.slots == ("access", "procedure", "staff", "result", "feedback", "overall")
    assert [e.id for e in form.aggregation.elements] == [
        "access",
        "procedure",
        "staff",
        "result",
        "feedback",
    ]
    assert form.by_id["overall"].label.vi.startswith("Nhìn chung")


def test_answer_codes_round_trip(catalog: FormCatalog) -> None:
    form = catalog.get("counter-quick", 1)
    assert form is not None
    codes = (("overall", 5), ("feedback", 0), ("improve", 2))
    encoded = encode_codes(form, codes)
    assert encoded == "....05"
    assert decode_codes(form, encoded) == {"feedback": 0, "overall": 5}


def test_validation_reports_every_problem(catalog: FormCatalog) -> None:
    form = catalog.get("counter-quick", 1)
    assert form is not None
    checked = validate_answers(
        form, {"overall": 9, "access": "4", "improve": [1, 9], "colour": 1, "comment": 5}
    )
    assert dict(checked.errors) == {
        "colour": "unknown question",
        "overall": "code 9 is not one of 1, 2, 3, 4, 5",
        "access": "must be an answer code (integer)",
        "improve": "code 9 is not one of 1, 2, 3, 4, 5",
        "comment": "must be text",
    }


def test_comments_are_limited_to_2000_characters(catalog: FormCatalog) -> None:
    form = catalog.get("counter-quick", 1)
    assert form is not None
    checked = validate_answers(form, {"overall": 4, "comment": "a" * 2001})
    assert checked.errors == (("comment", "longer than 2000 characters"),)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_broken_form_names_the_file_and_the_field(tmp_path: Path) -> None:
    source = (FORMS_DIR / "counter-quick.v1.toml").read_text(encoding="utf-8")
    broken = source.replace(
        'type = "likert5"\nrequired = true', 'type = "likert7"\nrequired = true'
    )
    path = _write(tmp_path, "counter-quick.v1.toml", broken)
    with pytest.raises(FormFileError) as caught:
        load_form_file(path)
    message = str(caught.value)
    assert str(path) in message
    assert "questions.5" in message


def test_a_file_name_must_match_its_id_and_version(tmp_path: Path) -> None:
    source = (FORMS_DIR / "counter-quick.v1.toml").read_text(encoding="utf-8")
    with pytest.raises(FormFileError, match="must match the file name"):
        load_form_file(_write(tmp_path, "counter-quick.v2.toml", source))
    with pytest.raises(FormFileError, match="file name must be"):
        load_form_file(_write(tmp_path, "Counter Quick.toml", source))


def test_a_page_naming_an_unknown_question_is_refused(tmp_path: Path) -> None:
    source = (FORMS_DIR / "counter-quick.v1.toml").read_text(encoding="utf-8")
    broken = source.replace('"improve", "comment"]', '"improve", "comment", "ghost"]')
    with pytest.raises(FormFileError, match="unknown questions: ghost"):
        load_form_file(_write(tmp_path, "counter-quick.v1.toml", broken))


def test_registering_an_edited_published_version_is_refused(
    session: Session, tmp_path: Path
) -> None:
    source = (FORMS_DIR / "counter-quick.v1.toml").read_text(encoding="utf-8")
    edited = source.replace("Góp ý khác (nếu có)", "Góp ý khác")
    _write(tmp_path, "counter-quick.v1.toml", edited)
    with pytest.raises(FormFileError, match="is published and its content changed"):
        register_forms(session, FormCatalog.from_directory(tmp_path))


def test_the_five_forms_of_sipas_md_are_published(catalog: FormCatalog) -> None:
    forms = {loaded.definition.id for loaded in catalog.loaded()}
    assert forms == {
        "counter-quick", "sipas-service", "online-service", "health-service",
        "education-service",
    }  # fmt: skip
    for form_id in forms:
        form = catalog.latest(form_id)
        assert form is not None
        assert form.aggregation.overall == "overall"
        assert form.by_id["overall"].required


def test_each_service_index_keeps_to_its_own_elements(catalog: FormCatalog) -> None:
    sipas = plan(catalog, "sipas")
    health = plan(catalog, "health")
    assert len(sipas.questions) == 19  # the 19 criteria of the five SIPAS elements
    assert not any(q.startswith("health_") for q in sipas.questions)
    assert health.is_index
    assert set(health.questions) == {
        q.id
        for q in catalog.latest("health-service").scored_questions()  # type: ignore[union-attr]
    } - {"overall"}
    assert abs(sum(health.coefficients) - 1) < 1e-12
