# Production image: `docker build -t sipas .`
# Migrations are their own step: `docker run --rm sipas sipas db upgrade` (compose.yaml runs
# it as the `migrate` service before the app starts).

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/sipas
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
COPY analytics ./analytics
COPY survey_forms ./survey_forms
COPY migrations ./migrations
RUN /opt/sipas/bin/pip install .

FROM python:3.11-slim AS runtime
ENV PATH=/opt/sipas/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    SIPAS_ENVIRONMENT=production
# Pango and a font with every Vietnamese letter: WeasyPrint lays out the report's PDF.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --home-dir /var/lib/sipas --create-home sipas
COPY --from=build /opt/sipas /opt/sipas
USER sipas
WORKDIR /var/lib/sipas
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
CMD ["sipas", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2", "--no-migrate"]
