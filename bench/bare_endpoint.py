"""The baseline for the submission benchmark: FastAPI validating the same JSON body into
the same model, and storing nothing, written as FastAPI's documentation writes an
endpoint (a plain ``def``) and served by uvicorn with its defaults."""

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from app.submissions.schemas import SubmissionIn

app = FastAPI()


@app.get("/healthz")
def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@app.post("/api/v1/responses", status_code=201)
def accept(body: SubmissionIn) -> JSONResponse:
    return JSONResponse({"id": str(body.id), "status": "stored"}, status_code=201)
