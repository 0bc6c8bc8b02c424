"""The Decision 766 figure beside the survey: of the dossiers finished in a month, the
share handled to the applicant's satisfaction — finished by the promised date, with no
complaint and no dislike recorded — per unit (docs/dossiers.md).

The two numbers answer different questions. 766's is a census of the process as the
one-stop system records it; the survey's is what citizens say, weighted to the dossiers.
A unit can meet every deadline and still leave people dissatisfied (how they were
treated, what it cost them), or be late and still be thanked.
"""

from typing import Any

import sqlalchemy
from sqlalchemy import Integer, case, func
from sqlalchemy.sql.expression import cast
from sqlmodel import Session, col, or_

from app.models import Dossier, Unit
from app.months import Month


def handling_by_unit(
    session: Session, month: Month, unit_ids: frozenset[int] | None = None
) -> list[dict[str, Any]]:
    """Per unit with dossiers finished in ``month``: dossiers, on time, complaints,
    dislikes, handled well, and the rate (handled well ÷ dossiers)."""
    on_time = or_(col(Dossier.due_at).is_(None), col(Dossier.finished_at) <= col(Dossier.due_at))
    handled_well = on_time & ~col(Dossier.complaint) & ~col(Dossier.disliked)

    def count_of(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    # Six columns: more than sqlmodel's typed select takes.
    query = (
        sqlalchemy.select(
            col(Unit.code),
            func.count(),
            count_of(on_time),
            func.sum(cast(col(Dossier.complaint), Integer)),
            func.sum(cast(col(Dossier.disliked), Integer)),
            count_of(handled_well),
        )
        .join(Unit, col(Unit.id) == col(Dossier.unit_id))
        .where(col(Dossier.finished_month) == str(month))
        .group_by(col(Unit.code))
        .order_by(col(Unit.code))
    )
    if unit_ids is not None:
        query = query.where(col(Dossier.unit_id).in_(unit_ids))
    return [
        {
            "unit": code,
            "dossiers": int(total),
            "on_time": int(timely),
            "complaints": int(complaints),
            "disliked": int(disliked),
            "handled_well": int(well),
            "rate": int(well) / int(total),
        }
        for code, total, timely, complaints, disliked, well in session.execute(query)
    ]


WHY_THEY_DIFFER = {
    "vi": "Chỉ số theo Quyết định 766/QĐ-TTg tính trên mọi hồ sơ đã giải quyết trong tháng "
    "(đúng hạn, không có khiếu nại hay đánh giá không hài lòng), theo dữ liệu của hệ thống "
    "một cửa; tỷ lệ SIPAS là điều người dân trả lời trong phiếu khảo sát, có trọng số theo "
    "số hồ sơ. Hai con số đo hai điều khác nhau: đơn vị có thể trả kết quả đúng hạn mà người "
    "dân vẫn chưa hài lòng về cách được phục vụ, hoặc ngược lại.",
    "en": "The Decision 766 figure counts every dossier finished in the month (on time, no "
    "complaint, no dislike) as the one-stop system records it; the SIPAS rate is what "
    "citizens answered in the survey, weighted to the dossiers. They measure different "
    "things: a unit can meet every deadline and still leave people dissatisfied with how "
    "they were served, or the other way round.",
}


def beside_survey(
    handling: list[dict[str, Any]], survey_rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each unit's 766 figure with its survey-weighted rate (``by=unit`` rows), and the
    gap between them in points."""
    survey = {row["unit"]: row for row in survey_rows}
    beside = []
    for row in handling:
        rate = survey.get(row["unit"], {}).get("rate")
        beside.append(
            {
                **row,
                "survey_rate": rate,
                "survey_n": survey.get(row["unit"], {}).get("n", 0),
                "gap": None if rate is None else row["rate"] - rate,
            }
        )
    return beside
