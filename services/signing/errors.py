"""Refusals of the signing rules that a user can act on, with their message in Vietnamese and
English; the service turns them into the error envelope's 4xx."""
from __future__ import annotations


class SigningError(Exception):
    """A signing step that cannot be taken as asked: ``code`` for machines, ``vi``/``en`` for
    people."""

    def __init__(self, code: str, vi: str, en: str):
        super().__init__(en)
        self.code, self.vi, self.en = code, vi, en
