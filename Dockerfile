# The container of `sheetops serve`, the service behind the "sheetops" menu in Google Sheets.
# Build and run it anywhere (docs/serve.md), or let Cloud Run build it from this folder:
#   gcloud run deploy sheetops --source . --region europe-west1 --allow-unauthenticated \
#     --set-env-vars SHEETOPS_SERVE_AUDIENCE=...,SHEETOPS_SERVE_ALLOW=company.com
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY sheetops ./sheetops
RUN pip install ".[serve]" && useradd --system --no-create-home sheetops
USER sheetops

# Cloud Run sets PORT; elsewhere 8080. Callers are checked by the app itself (docs/serve.md).
ENV PORT=8080 SHEETOPS_SERVE_HOST=0.0.0.0
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=2)"
CMD ["sheetops", "serve"]
