# One image for web, worker and beat.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk libpango-1.0-0 \
    libpangoft2-1.0-0 libharfbuzz-subset0 postgresql-client \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
RUN python - <<'PY'
import subprocess, sys, tomllib
deps = tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]
subprocess.run([sys.executable, "-m", "pip", "install", "--no-cache-dir", *deps], check=True)
PY
COPY . .
ENV STATIC_ROOT=/app/staticfiles
RUN DEBUG=false SECRET_KEY=build-only FIELD_ENCRYPTION_KEY=build-only \
    IDENTITY_HASH_KEY=build-only DATABASE_URL=postgres://unused@localhost/unused \
    python manage.py collectstatic --no-input
EXPOSE 8000
CMD ["gunicorn", "eldercare.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "2"]
