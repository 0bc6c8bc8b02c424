"""The form catalogue as a FastAPI dependency, for every router that reads answers."""

from typing import Annotated

from fastapi import Depends, Request

from app.surveys.forms import FormCatalog


async def get_catalog(request: Request) -> FormCatalog:
    catalog: FormCatalog = request.app.state.catalog
    return catalog


CatalogDep = Annotated[FormCatalog, Depends(get_catalog)]
