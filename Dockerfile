# Production image: gunicorn serves the app, whitenoise its static files; a proxy in front terminates TLS.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system app && useradd --system --gid app --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# collectstatic must import the production settings; these throwaway secrets exist only in this RUN step.
RUN DJANGO_DEBUG=False \
    DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    NIK_ENCRYPTION_KEYS="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
    NIK_HASH_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/private \
    && chown app:app /app/private

USER app

EXPOSE 8000

# Workers, threads and timeouts come from the environment (gunicorn.conf.py: WEB_CONCURRENCY, GUNICORN_*).
CMD ["gunicorn", "--config", "gunicorn.conf.py", "desa_jaminan.wsgi:application"]
