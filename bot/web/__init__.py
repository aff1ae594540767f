"""The bot's HTTP side: health, readiness, metrics, and the upload API.

It runs in the bot's own process and event loop (aiohttp), and imports no
discord: the bot hands it what it needs.

    web = WebApp(WebConfig.from_settings(settings), service,
                 probes={"gateway": ..., "database": store.ping, "poller": ...},
                 post_summary=bot.post_summary)
    await web.start()   ...   await web.stop()

Routes
  GET  /healthz            200 while the process and its event loop work; 503 when a
                           readiness probe has been failing for `unhealthy_after` seconds
                           (stuck: restarting would help) or the loop stalls.
  GET  /readyz             200 when every probe passes, else 503; JSON detail per probe.
  GET  /metrics            Prometheus text format (bot/metrics.py).
  POST /api/v1/summaries   Bearer token. JSON {"url"|"text"|"html", "sentences"?, "channel_id"?}
                           or multipart/form-data (file, sentences?, channel_id?). Answers with
                           the summary JSON of `precis summarize --format json`; with a
                           channel_id (one of API_ALLOWED_CHANNELS) also posts the embed there.
                           Errors are JSON {"error": "..."}: 400 bad request, 401 token,
                           403 channel, 404 API off (no API_TOKEN), 408 body too slow, 413 too
                           large, 415 type, 422 not an article, 502 fetch/post failed, 503 busy.
                           A body may be sent with Content-Encoding gzip or deflate.

Hostile input (limits, and why, beside each constant)
  A JSON body is one flat UTF-8 object, at most 32 fields, numbers of at most 20 digits,
  no lone surrogates, no value that is an array or an object. Request and part heads:
  lines of at most 8,190 bytes, 128 of them. Connections: at most `max_connections` open
  (beyond: 503, closed), each sends a whole request head within `head_timeout` seconds,
  and an API body within `body_timeout`.

The modules
  config   WebConfig, read from the settings.
  app      WebApp: the server's lifecycle, the probes, /healthz, /readyz, /metrics.
  api      UploadApi: POST /api/v1/summaries (token, admission, summarizing, posting).
  parsing  reading the upload API's request body (JSON or multipart).
  body     the body's bytes under the size limit, decoded (gzip, deflate).
  fields   checking what the body says: flat JSON, numbers, text, links.
  listener the listening socket and its cap on open connections.
  answers  ApiError, the error -> status table, the JSON error answer.
"""

from __future__ import annotations

from bot.web.answers import ERROR_STATUS, ApiError, error_response, status_for
from bot.web.api import API_PATH, PostSummary, UploadApi
from bot.web.app import Probe, ProbeState, WebApp
from bot.web.config import WebConfig

__all__ = [
    "API_PATH",
    "ERROR_STATUS",
    "ApiError",
    "PostSummary",
    "Probe",
    "ProbeState",
    "UploadApi",
    "WebApp",
    "WebConfig",
    "error_response",
    "status_for",
]
