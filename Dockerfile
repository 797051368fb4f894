# One image for both systems; SYSTEM selects which one a container serves.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PORT=5000
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY service/ service/
COPY gunicorn.conf.py .

RUN useradd --system --uid 10001 --no-create-home sync
USER sync

EXPOSE 5000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "service.app:create_app()"]
