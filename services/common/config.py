"""Reading the deployment's settings from the nameko config (deploy/config.yml).

Service code never reads os.environ: the YAML file substitutes environment variables
(``${VAR:default}``) once, at start-up, and providers read the result here.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_SECRET = "dev-only-secret-change-me-0123456789abcdef"
DEFAULT_SMTP_FROM = "e-Office <no-reply@localhost>"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
#: OCR of scans (storage): pages OCR'd per file, the resolution scanned PDF pages are
#: rasterised at, the largest image handed to Tesseract (an A4 page at 300 dpi is
#: 8.7 M pixels, A2 35 M) and Tesseract's language.
DEFAULT_OCR_MAX_PAGES = 50
DEFAULT_OCR_DPI = 300
DEFAULT_OCR_MAX_PIXELS = 40_000_000
DEFAULT_OCR_LANG = "vie"
#: Access tokens are short (5 min) so that what a stolen one can do is short too;
#: the web UI refreshes them with its refresh token, which lasts a working day.
DEFAULT_TOKEN_TTL_SECONDS = 300
DEFAULT_REFRESH_TTL_SECONDS = 12 * 3600
#: Storage: text extractions one process runs at once (each a child process of up to a
#: few hundred MB; the others wait their turn), and upload reservations a person may
#: hold at once (reserved, not yet uploaded, not expired).
DEFAULT_MAX_CONCURRENT_EXTRACTIONS = 2
DEFAULT_MAX_PENDING_UPLOADS_PER_USER = 20
#: Storage: extraction children are forked by a warm helper process (the fork server,
#: services/storage/fork_server.py) rather than started afresh for every file.
DEFAULT_EXTRACTION_FORK_SERVER = True


@dataclass(frozen=True)
class Settings:
    data_dir: str
    secret_key: str
    token_ttl_seconds: int
    rpc_timeout_seconds: float
    db_urls: dict
    storage_url: str
    storage_public_url: str
    search_url: str
    max_upload_bytes: int
    extraction_timeout_seconds: int
    # E-mail (notify). An empty smtp_host means e-mail is off: notifications stay in-app.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_from: str = DEFAULT_SMTP_FROM
    #: Where people open the web UI; links in e-mails start with it.
    public_url: str = DEFAULT_PUBLIC_URL
    # OCR of scans (storage); an empty, non-numeric or non-positive value is the default.
    ocr_max_pages: int = DEFAULT_OCR_MAX_PAGES
    ocr_dpi: int = DEFAULT_OCR_DPI
    ocr_max_pixels: int = DEFAULT_OCR_MAX_PIXELS
    ocr_lang: str = DEFAULT_OCR_LANG
    # Token keys (token_keys.py): the directory of key files, or the keys themselves.
    keys_dir: str = ""
    signing_key: str = ""
    public_keys: str = ""
    #: Development only: allows the well-known DEFAULT_SECRET (refused otherwise).
    dev_mode: bool = False
    #: Refresh tokens (sessions) live this long; access tokens token_ttl_seconds.
    refresh_ttl_seconds: int = DEFAULT_REFRESH_TTL_SECONDS
    #: Failed sign-ins from one client address within 15 min before it is locked.
    login_address_limit: int = 20
    max_concurrent_extractions: int = DEFAULT_MAX_CONCURRENT_EXTRACTIONS
    max_pending_uploads_per_user: int = DEFAULT_MAX_PENDING_UPLOADS_PER_USER
    extraction_fork_server: bool = DEFAULT_EXTRACTION_FORK_SERVER

    def db_url(self, service_name: str) -> str:
        url = (self.db_urls or {}).get(service_name)
        if url:
            return str(url)
        return f"sqlite:///{os.path.join(self.data_dir, service_name + '.db')}"


def settings_from(config: dict) -> Settings:
    data_dir = os.path.abspath(str(config.get("DATA_DIR") or "var"))
    return Settings(
        data_dir=data_dir,
        secret_key=str(config.get("SECRET_KEY") or DEFAULT_SECRET),
        token_ttl_seconds=int(config.get("TOKEN_TTL_SECONDS") or DEFAULT_TOKEN_TTL_SECONDS),
        rpc_timeout_seconds=float(config.get("RPC_TIMEOUT_SECONDS") or 10),
        db_urls=dict(config.get("DB_URLS") or {}),
        storage_url=str(config.get("STORAGE_URL") or f"file://{os.path.join(data_dir, 'blobs')}"),
        storage_public_url=str(config.get("STORAGE_PUBLIC_URL") or "http://127.0.0.1:8105"),
        search_url=str(config.get("SEARCH_URL") or f"tantivy://{os.path.join(data_dir, 'index')}"),
        max_upload_bytes=int(config.get("MAX_UPLOAD_BYTES") or 50 * 1024 * 1024),
        extraction_timeout_seconds=int(config.get("EXTRACTION_TIMEOUT_SECONDS") or 120),
        smtp_host=_text(config.get("SMTP_HOST")),
        smtp_port=int(config.get("SMTP_PORT") or 25),
        smtp_user=_text(config.get("SMTP_USER")),
        smtp_password=_text(config.get("SMTP_PASSWORD"), strip=False),
        smtp_starttls=_flag(config.get("SMTP_STARTTLS")),
        smtp_from=_text(config.get("SMTP_FROM")) or DEFAULT_SMTP_FROM,
        public_url=(_text(config.get("PUBLIC_URL")) or DEFAULT_PUBLIC_URL).rstrip("/"),
        ocr_max_pages=_positive_int(config.get("OCR_MAX_PAGES"), DEFAULT_OCR_MAX_PAGES),
        ocr_dpi=_positive_int(config.get("OCR_DPI"), DEFAULT_OCR_DPI),
        ocr_max_pixels=_positive_int(config.get("OCR_MAX_PIXELS"), DEFAULT_OCR_MAX_PIXELS),
        ocr_lang=_text(config.get("OCR_LANG")) or DEFAULT_OCR_LANG,
        keys_dir=_text(config.get("KEYS_DIR")) or os.path.join(data_dir, "keys"),
        signing_key=_text(config.get("SIGNING_KEY")),
        public_keys=_text(config.get("PUBLIC_KEYS")),
        dev_mode=_flag(config.get("DEV_MODE")),
        refresh_ttl_seconds=_positive_int(config.get("REFRESH_TTL_SECONDS"),
                                          DEFAULT_REFRESH_TTL_SECONDS),
        login_address_limit=_positive_int(config.get("LOGIN_ADDRESS_LIMIT"), 20),
        max_concurrent_extractions=_positive_int(config.get("MAX_CONCURRENT_EXTRACTIONS"),
                                                 DEFAULT_MAX_CONCURRENT_EXTRACTIONS),
        max_pending_uploads_per_user=_positive_int(config.get("MAX_PENDING_UPLOADS_PER_USER"),
                                                   DEFAULT_MAX_PENDING_UPLOADS_PER_USER),
        extraction_fork_server=_flag(config.get("EXTRACTION_FORK_SERVER"),
                                     DEFAULT_EXTRACTION_FORK_SERVER),
    )


class InsecureSettings(RuntimeError):
    """A setting no real deployment may run with: the process refuses to start."""


def refuse_default_secret(settings: Settings) -> None:
    """Stop a process that would run with the secret everyone can read in this
    repository (deploy/config.yml's default), unless DEV_MODE says it is a developer's
    machine. `make run` and the tests give a secret of their own."""
    if settings.secret_key == DEFAULT_SECRET and not settings.dev_mode:
        raise InsecureSettings(
            "EOFFICE_SECRET_KEY is the well-known development default; set a random one "
            "(e.g. `openssl rand -hex 32`), or EOFFICE_DEV_MODE=true on a development "
            "machine only")


def _text(value, strip: bool = True) -> str:
    """A setting as a string; unset (None) is empty."""
    if value is None:
        return ""
    return str(value).strip() if strip else str(value)


def _positive_int(value, default: int) -> int:
    """A count or size that must be positive: unset, not a whole number, or not above
    zero is ``default`` (as the OCR settings were always read)."""
    if isinstance(value, bool):
        return default
    try:
        number = int(_text(value) or default)
    except ValueError:
        return default
    return number if number > 0 else default


def _flag(value, default: bool = False) -> bool:
    """A yes/no setting: YAML's true/false, or 1/0, yes/no, on/off as text; unset or
    empty is ``default``."""
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if not text:
        return default
    return text in ("1", "true", "yes", "on")


def settings_of(container) -> Settings:
    return settings_from(container.config)
