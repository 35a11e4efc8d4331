# One resilient container: `cicero run` under tini (PID 1 reaps exited actor processes).
FROM python:3.11-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && pip install --no-cache-dir uv \
 && useradd --create-home --uid 10001 cicero

WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY cicero ./cicero
COPY config ./config
RUN uv sync --frozen --no-dev && chown -R cicero /app

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
