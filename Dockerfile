# One image for every platform process; the command picks the process (router, subgraph NAME, worker).
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY . .
RUN pip install --no-deps . && useradd --create-home platform && chown -R platform /app
USER platform
EXPOSE 8000
CMD ["saas-platform", "router", "--host", "0.0.0.0", "--port", "8000"]
