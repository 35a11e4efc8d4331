# One resilient container: `cicero run` under tini (PID 1 reaps exited actor processes).
#
# BASE: python:3.11-slim where a registry is reachable (the default). Elsewhere, a Debian
# bookworm base built on the machine (scripts/debian-base.sh) and
#   podman build --format docker --build-arg BASE=localhost/cicero-base:bookworm …
# where Python comes from Debian. --format docker keeps the HEALTHCHECK (OCI drops it).
#
# Where HTTPS is intercepted, pass the machine's CA bundle as build secret "ca"
# (--secret id=ca,src=/etc/ssl/certs/ca-certificates.crt): the steps that download use it,
# and it is never part of the image.
ARG BASE=python:3.11-slim
FROM ${BASE}

# tini: PID 1. libmagic1: neonize imports python-magic as it loads (every WhatsApp session).
# ca-certificates: whatsmeow's TLS connection to WhatsApp.
RUN --mount=type=secret,id=ca \
    set -eu; \
    if [ -s /run/secrets/ca ]; then export SSL_CERT_FILE=/run/secrets/ca PIP_CERT=/run/secrets/ca; fi; \
    packages="tini libmagic1 ca-certificates"; \
    command -v python3 >/dev/null || packages="$packages python3 python3-venv python3-pip"; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $packages; \
    rm -rf /var/lib/apt/lists/*; \
    python3 -m pip install --no-cache-dir --break-system-packages uv; \
    useradd --create-home --uid 10001 cicero

# The code and its virtualenv belong to root and are only read; the service writes /data.
WORKDIR /app
ENV UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_LINK_MODE=copy
COPY pyproject.toml uv.lock README.md ./
RUN --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export SSL_CERT_FILE=/run/secrets/ca; fi; \
    uv sync --frozen --no-dev --no-install-project --no-cache --python python3
COPY cicero ./cicero
COPY config ./config
RUN --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export SSL_CERT_FILE=/run/secrets/ca; fi; \
    uv sync --frozen --no-dev --no-cache --python python3 \
 && .venv/bin/python -c "import magic; magic.from_buffer(b'%PDF-1.4', mime=True)"

ENV PATH=/app/.venv/bin:$PATH \
    CICERO_DATA_DIR=/data \
    CICERO_CONFIG=/app/config/cicero.toml \
    THESPLOG_FILE=/data/thespian.log
RUN mkdir /data && chown cicero /data
VOLUME ["/data"]
USER cicero
EXPOSE 8080

# The web port is published to the host; bind it inside the container's namespace.
ENV CICERO_WEB_HOST=0.0.0.0
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"

ENTRYPOINT ["tini", "--"]
CMD ["cicero", "run"]
