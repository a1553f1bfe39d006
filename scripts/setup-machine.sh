#!/usr/bin/env bash
# Makes sure the machine has what the system and its tests need: RabbitMQ running with
# its management API (the tests make a throw-away vhost per test through it),
# PostgreSQL running, the DejaVu fonts for PDF registers, the text-extraction tools
# (Tesseract with Vietnamese, poppler-utils, antiword) and Debian's Chromium for the
# browser tests, SoftHSM2 and NSS tools for the digital signatures. Idempotent.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
  echo "setup: starting RabbitMQ"; as_root rabbitmq-server -detached; sleep 5
fi
if ! curl -sf -u guest:guest http://127.0.0.1:15672/api/overview >/dev/null; then
  echo "setup: enabling the RabbitMQ management API"
  as_root rabbitmq-plugins enable rabbitmq_management >/dev/null
  for _ in $(seq 1 30); do
    curl -sf -u guest:guest http://127.0.0.1:15672/api/overview >/dev/null && break; sleep 1
  done
fi
if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  echo "setup: starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
fi
if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  echo "setup: installing fonts-dejavu-core (Vietnamese glyphs for printed registers)"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq fonts-dejavu-core >/dev/null
fi
if ! command -v pdftoppm >/dev/null || ! command -v antiword >/dev/null \
   || ! (tesseract --list-langs 2>/dev/null | grep -x vie >/dev/null); then
  echo "setup: installing text extraction tools (tesseract-ocr-vie, poppler-utils, antiword)"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq tesseract-ocr tesseract-ocr-vie poppler-utils antiword >/dev/null
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing Debian's chromium for the browser tests"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq chromium chromium-driver >/dev/null
fi
if ! command -v softhsm2-util >/dev/null || ! command -v certutil >/dev/null; then
  # Digital signatures: SoftHSM2, the PKCS#11 token `make run` and the tests keep keys in;
  # NSS's certutil, with which the tests give poppler's pdfsig the demo root to trust.
  echo "setup: installing SoftHSM2 and NSS tools (softhsm2, libnss3-tools) for signing"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq softhsm2 libnss3-tools >/dev/null
fi
if [ ! -x /usr/sbin/slapd ] || ! command -v ldapadd >/dev/null; then
  # The LDAP sign-in tests start their own throw-away slapd on a free port; the
  # package's own service is not needed (and not started where policy-rc.d says no).
  echo "setup: installing OpenLDAP (slapd, ldap-utils) for the LDAP sign-in tests"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq slapd ldap-utils >/dev/null
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "setup: installing Node.js and npm for the OpenID Connect sign-in tests"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq nodejs npm >/dev/null
fi
# The OpenID provider the tests run (oidc-provider, pinned in its package-lock.json).
OIDC_FIXTURE="$(dirname "$0")/../tests/fixtures/oidc"
if [ ! -d "$OIDC_FIXTURE/node_modules/oidc-provider" ]; then
  echo "setup: installing the test OpenID provider's packages (npm ci)"
  (cd "$OIDC_FIXTURE" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
