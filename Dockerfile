# One image for both systems; SYSTEM selects which one a container serves. It holds the runtime set alone
# (requirements/runtime.txt: every package pinned, with its hashes checked by pip), no test or benchmark tools.
#
# The base is pinned to a Python minor version and a Debian release, not to a digest: this repository is built and
# tested where no Docker daemon runs and no image can be pulled, so a digest written here could not be checked
# against the image it names. Pin it where the image is built, without editing this file:
#   docker build --build-arg BASE_IMAGE=python:3.11-slim-bookworm@sha256:<digest> .
# with the digest from `docker buildx imagetools inspect python:3.11-slim-bookworm`.
ARG BASE_IMAGE=python:3.11-slim-bookworm
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY requirements/runtime.txt requirements/runtime.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/runtime.txt

COPY service/ service/
COPY gunicorn.conf.py .

RUN useradd --system --uid 10001 --no-create-home sync
USER sync

# PORT defaults to 5000 (service/settings.py), the port a Sesam microservice system expects.
EXPOSE 5000
# GET /health answers without touching the shop; the check reads PORT as the service does.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["python", "-m", "service.healthcheck"]
# Checks every setting (exit 2 listing every problem), then becomes the gunicorn master.
CMD ["python", "-m", "service"]
