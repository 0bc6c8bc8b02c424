"""HTTP routes for invitations: single-use survey links for the dossier system."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, status
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import select

from app.deps import SessionDep, SettingsDep, require_role
from app.errors import NotFound
from app.models import Invitation
from app.principals import Principal
from app.surveys.links import create_invitation
from app.surveys.qr import qr_png, survey_url

router = APIRouter(prefix="/api/v1/invitations", tags=["invitations"])
Inviter = Annotated[Principal, Depends(require_role("admin", "unit"))]


class InvitationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_code: str
    procedure_code: str
    dossier_code: str = Field(min_length=1, max_length=100)
    channel: Literal["counter", "online"] = "counter"


class InvitationPublic(BaseModel):
    url: str
    slug: str
    expires_at: str


@router.post("", status_code=status.HTTP_201_CREATED)
def post_invitation(
    data: InvitationCreate, session: SessionDep, settings: SettingsDep, principal: Inviter
) -> InvitationPublic:
    """A single-use survey link for a returned dossier (the same dossier: the same link)."""
    invitation = create_invitation(
        session,
        settings.resolved_secret_key(),
        principal,
        data.unit_code,
        data.procedure_code,
        data.dossier_code,
        data.channel,
    )
    return InvitationPublic(
        url=survey_url(settings.public_base_url, invitation.slug),
        slug=invitation.slug,
        expires_at=invitation.expires_at.isoformat(),
    )


@router.get("/{slug}/qr.png", response_class=Response)
def invitation_qr(
    slug: str, session: SessionDep, settings: SettingsDep, principal: Inviter
) -> Response:
    """The invitation's link as a PNG QR code, to print on the dossier receipt."""
    invitation = session.exec(select(Invitation).where(Invitation.slug == slug)).first()
    if invitation is None or not principal.can_read_unit(invitation.unit_id):
        raise NotFound("no such invitation")
    return Response(qr_png(survey_url(settings.public_base_url, slug)), media_type="image/png")
