# The service's image: `yijian run` (the bot; webhook workers), `yijian web` (the staff console),
# `yijian db upgrade`, `yijian doctor`. deploy/compose.yaml runs them on PostgreSQL.
FROM python:3.11-slim-bookworm

# Debian's fonts-noto-cjk: the documents' CJK font (documents/fonts.py). libgl1 and
# libglib2.0-0: OpenCV, imported when the ID card is read from its photo (OCR__ENABLED).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk libgl1 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --uid 10001 --create-home --home-dir /var/lib/yijian yijian

WORKDIR /src
# The pinned, hashed dependencies first (a layer that changes only with the lock file).
COPY requirements-lock.txt ./
RUN pip install --no-cache-dir --require-hashes -r requirements-lock.txt
COPY . .
RUN pip install --no-cache-dir --no-deps . && rm -rf /src/build

USER yijian
WORKDIR /var/lib/yijian
# Everything the service writes lives under /var/lib/yijian (a volume); logs are JSON lines.
ENV DATA_DIR=/var/lib/yijian \
    FILES__DIR=/var/lib/yijian/files \
    SECURITY__KEY_FILE=/var/lib/yijian/secret.key \
    LOG_FORMAT=json \
    PYTHONUNBUFFERED=1
VOLUME ["/var/lib/yijian"]
# 8443: Telegram's webhook (TELEGRAM__LISTEN_PORT); 9100: /healthz, /readyz, /metrics of a
# worker (RUNTIME__STATUS_PORT); 8700: the staff console (`web --port`).
EXPOSE 8443 9100 8700
ENTRYPOINT ["yijian"]
CMD ["run"]
