# objectstore: one image for every role of a cluster; the command picks the role:
#   cluster init /cluster --if-missing | node --config F | daemons --config F | proxy --config F
# Build from a local base image with --build-arg BASE=<tag> (no registry needed).
ARG BASE=python:3.12-slim
FROM ${BASE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/objectstore/bin:$PATH

# A fixed non-root user; /cluster (ring, secret, configs) and /srv/node (a node's
# devices) are volume mount points that new volumes take their owner from.
RUN useradd --system --uid 10001 --user-group --home-dir /srv/node --no-create-home \
        objectstore \
    && mkdir -p /cluster /srv/node \
    && chown objectstore:objectstore /cluster /srv/node

COPY pyproject.toml README.md /tmp/objectstore-src/
COPY objectstore /tmp/objectstore-src/objectstore
RUN python3 -m venv /opt/objectstore \
    && /opt/objectstore/bin/pip install --no-cache-dir /tmp/objectstore-src \
    && rm -rf /tmp/objectstore-src

USER objectstore
WORKDIR /srv/node
EXPOSE 8080 6200
# Each service says which server to ask (OBJECTSTORE_HEALTH_URL); written in Python,
# as slim images have no curl.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
    CMD ["objectstore", "healthcheck"]
ENTRYPOINT ["objectstore"]
CMD ["--help"]
