FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY monitor ./monitor
COPY workers ./workers
RUN pip install --no-cache-dir .
# The data directory holds the outbox and local state; Redis runs in its own container.
VOLUME ["/data"]
ENV PYTHONUNBUFFERED=1
CMD ["newsmonitor", "run"]
