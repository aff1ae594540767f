# syntax=docker/dockerfile:1
# Précis: one container, SQLite on the /data volume, configuration from the environment.
#
#   docker build -t precis .          (podman: see scripts/container-test for an offline build)
#   docker compose up -d              (compose.yaml)
#
# Dependencies come from requirements.lock (scripts/lock): every package, transitive ones and
# extras included, pinned and hashed, installed with `--require-hashes --no-deps` so pip
# resolves nothing and a release published upstream cannot change the image. Nothing is
# downloaded at run time.

ARG DEBIAN=bookworm-slim

# --- base: Debian's python3, the CA bundle (Discord and article links are HTTPS), tini ---
FROM docker.io/library/debian:${DEBIAN} AS base
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log

# --- deps: a virtual environment in /opt/precis with the locked dependencies ---------------
# Reused (with every stage built on it) until requirements.lock changes.
FROM base AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3-venv \
 && rm -rf /var/lib/apt/lists/*
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
RUN python3 -m venv /opt/precis
COPY requirements.lock /tmp/requirements.lock
# --no-deps: the lock is complete, so nothing is resolved (Debian's pip 23.0 would otherwise
# re-resolve a requirement with an extra, such as lxml[html_clean], against the index and
# ignore the pin); `pip check` fails the build if the lock ever misses a package.
# --no-build-isolation: the few pure-Python sdists (docopt, breadability) build with the
# venv's own setuptools instead of an unpinned one fetched for the occasion.
RUN --mount=type=cache,target=/root/.cache/pip \
    /opt/precis/bin/pip install --require-hashes --no-deps --no-build-isolation -r /tmp/requirements.lock \
 && /opt/precis/bin/pip check

# --- runtime-deps: the same without what only installing needs (pip, mypy, libraries' tests) -
FROM deps AS runtime-deps
RUN /opt/precis/bin/pip uninstall --yes --quiet mypy mypy-extensions librt pathspec ast-serialize \
 && /opt/precis/bin/pip uninstall --yes --quiet pip \
 && find /opt/precis/lib/python3.11/site-packages -mindepth 2 -depth -type d \
        \( -name tests -o -name test \) -exec rm -rf {} +

# --- app: Précis itself, against exactly those dependencies (no resolution, no download) ---
# setup.py compiles the engine's hot modules with mypyc (from the lock), hence a C compiler
# and Python's headers here; the final image has neither.
FROM deps AS app
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev python3-dev \
 && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml setup.py README.md /src/
COPY bot /src/bot
COPY cogs /src/cogs
COPY config /src/config
RUN /opt/precis/bin/pip wheel --no-deps --no-build-isolation --no-index -w /tmp/wheel /src \
 && /opt/precis/bin/pip install --no-deps --no-index /tmp/wheel/*.whl \
 && /opt/precis/bin/pip check \
 && /opt/precis/bin/pip install --no-deps --no-index --target /opt/app/site-packages /tmp/wheel/*.whl \
 && mkdir /opt/app/bin && mv /opt/app/site-packages/bin/precis /opt/app/bin/ \
 && rmdir /opt/app/site-packages/bin

# --- final: no compilers, no pip cache, no sources; a non-root user ---
FROM base
RUN useradd --system --uid 10001 --user-group --home-dir /nonexistent --shell /usr/sbin/nologin precis \
 && mkdir /data && chown precis:precis /data
# Two layers: the dependencies (unchanged between most builds) and the small app on top.
COPY --from=runtime-deps /opt/precis /opt/precis
COPY --from=app /opt/app/site-packages/ /opt/precis/lib/python3.11/site-packages/
COPY --from=app /opt/app/bin/precis /opt/precis/bin/precis
ENV PATH=/opt/precis/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/precis.sqlite3 \
    WEB_ENABLED=true \
    WEB_HOST=0.0.0.0 \
    WEB_PORT=8080
# "/" so that even a relative DATABASE_URL (sqlite+aiosqlite:///data/precis.sqlite3, the
# value in config/example.env) lands on the volume.
WORKDIR /
VOLUME ["/data"]
EXPOSE 8080
USER precis:precis
# Liveness: 503 when the event loop stalls or Discord/the database stay unreachable for minutes.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python3", "-c", "import os,sys,urllib.request as u; u.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('WEB_PORT', '8080'), timeout=4); sys.exit(0)"]
# tini is PID 1: it forwards SIGTERM to precis (which shuts down cleanly) and reaps zombies.
ENTRYPOINT ["/usr/bin/tini", "--", "precis"]
CMD ["run"]
STOPSIGNAL SIGTERM
