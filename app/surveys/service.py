"""Publishing form versions in the database and guarding them against edits."""

from sqlmodel import Session

from app.models import SurveyForm
from app.surveys.forms import FormCatalog, FormFileError


def register_forms(session: Session, catalog: FormCatalog) -> int:
    """Record every form version of ``catalog``; returns how many were new.

    A version already published with other content is refused: a published version is
    never edited, a change is a new version.
    """
    added = 0
    for loaded in catalog.loaded():
        definition = loaded.definition
        row = session.get(SurveyForm, (definition.id, definition.version))
        if row is None:
            session.add(
                SurveyForm(
                    form_id=definition.id,
                    version=definition.version,
                    definition_sha256=loaded.sha256,
                )
            )
            added += 1
        elif row.definition_sha256 != loaded.sha256:
            raise FormFileError(
                f"{loaded.path}: version {definition.version} of '{definition.id}' is published "
                "and its content changed; publish the change as a new version"
            )
    session.flush()
    return added
