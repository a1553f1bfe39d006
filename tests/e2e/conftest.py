"""The end-to-end tests drive the session's started system (tests/system.py: the
``system``, ``system_keys`` and ``pdf_bytes`` fixtures) over HTTP only; what they share
is in tests/e2e/helpers.py."""
