# syntax=docker/dockerfile:1
# The image of every PFD service: one multi-stage recipe, the service chosen by build arguments. Build with the
# REPO ROOT as context (it needs shared/ too), e.g. the xai image:
#   docker build -f deploy/docker/service.Dockerfile --build-arg SERVICE=xai --build-arg ENV_PREFIX=PFD_XAI_ \
#     --build-arg TORCH=cpu --build-arg SHARED_EXTRAS=[torch] -t pfd/xai:dev .
# compose.yaml and deploy/README.md list each service's arguments. The same image also runs the service's one-shot
# jobs (`migrate`; the gateway's image also `pfd-topics --bootstrap-servers HOST:PORT`).
ARG PYTHON_IMAGE=python:3.11-slim

# --------------------------------------------------------------------------- builder
FROM ${PYTHON_IMAGE} AS builder

# SERVICE: the folder under services/ (its console script is pfd-<SERVICE>); TORCH: "cpu" installs torch's CPU-only
# wheels first (the default PyPI build carries CUDA: gigabytes these images never use), "none" installs no torch.
ARG SERVICE
ARG TORCH=none
ARG SHARED_EXTRAS=
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN test -n "${SERVICE}" || (echo "--build-arg SERVICE=<folder under services/> is required" >&2; exit 1)
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# Pinned versions of every third-party package (written at the repo root).
COPY constraints.txt ./constraints.txt
COPY shared/ ./shared/
COPY services/${SERVICE}/ ./services/${SERVICE}/

# Non-editable installs; the constraints file pins every transitive dependency (torch==2.13.0 matches its +cpu build).
RUN if [ "${TORCH}" = "cpu" ]; then pip install -c constraints.txt --index-url ${TORCH_INDEX_URL} torch; fi \
 && pip install -c constraints.txt "./shared${SHARED_EXTRAS}" ./services/${SERVICE} \
 && pip check \
 && python -m compileall -q /opt/venv/lib \
 && ln -s /opt/venv/bin/pfd-${SERVICE} /opt/venv/bin/pfd-service

# --------------------------------------------------------------------------- runtime
FROM ${PYTHON_IMAGE} AS runtime

# ENV_PREFIX: the service's settings prefix (PFD_XAI_, ...); the container listens on every interface at PORT.
ARG ENV_PREFIX
ARG PORT=8080
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=${PORT} \
    ${ENV_PREFIX}HTTP__HOST=0.0.0.0 \
    ${ENV_PREFIX}HTTP__PORT=${PORT}

RUN groupadd --system --gid 10001 pfd \
 && useradd --system --uid 10001 --gid 10001 --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin pfd

COPY --from=builder /opt/venv /opt/venv

WORKDIR /tmp
USER 10001:10001
EXPOSE ${PORT}

HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${PORT}/health/ready', timeout=4)" || exit 1

# pfd-service: the service's own console script (pfd-<SERVICE>), linked in the builder
ENTRYPOINT ["pfd-service"]
CMD ["serve"]
