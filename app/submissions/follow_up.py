"""A kiosk's follow-up: one tap on a face stores the response at once; a dissatisfied
citizen may then tap what should improve, which joins that response.

The response was stored before the follow-up was asked, so that walking away loses
nothing. The follow-up only adds the multiple-choice answer the form asks of the
dissatisfied (``improve``); it never changes what was stored, only within minutes, and
only once: the page's signed token names the response.
"""

from datetime import timedelta

from sqlmodel import Session, col, func, select

from app import clock
from app.db import writes
from app.errors import FieldError, Gone, Invalid, NotFound
from app.models import ChoiceAnswer, Response
from app.submissions.tokens import PageToken
from app.surveys.forms import FormCatalog, MultiChoice

FOLLOW_UP_QUESTION = "improve"
FOLLOW_UP_WINDOW = timedelta(minutes=5)


@writes
def add_follow_up(
    session: Session, catalog: FormCatalog, token: PageToken, counter_id: int, codes: list[int]
) -> None:
    """Add ``codes`` as the answer to "what should improve" of the token's response."""
    response = session.get(Response, token.response_id)
    if response is None or response.counter_id != counter_id:
        raise NotFound("no response of this page to follow up")
    if clock.now() - response.submitted_at > FOLLOW_UP_WINDOW:
        raise Gone("the follow-up of this response has closed")
    form = catalog.get(response.form_id, response.form_version)
    question = form.by_id.get(FOLLOW_UP_QUESTION) if form else None
    if not isinstance(question, MultiChoice):
        raise Invalid("this form asks no follow-up", [FieldError(FOLLOW_UP_QUESTION, "not asked")])
    bad = sorted(set(codes) - set(question.codes))
    if bad or not codes or len(set(codes)) > (question.max_selected or len(question.codes)):
        raise Invalid("not an answer", [FieldError(FOLLOW_UP_QUESTION, "not one of its codes")])
    answered = session.exec(
        select(func.count())
        .select_from(ChoiceAnswer)
        .where(col(ChoiceAnswer.response_id) == response.id)
        .where(col(ChoiceAnswer.question_id) == FOLLOW_UP_QUESTION)
    ).one()
    if answered:
        return  # a second tap, or a retry: the first answer stands
    for code in sorted(set(codes)):
        session.add(
            ChoiceAnswer(response_id=response.id, question_id=FOLLOW_UP_QUESTION, code=code)
        )
