"""Vietnamese text as the system compares it: without marks, in lower case, đ as d — so
"Quyết định", "QUYẾT ĐỊNH" and "quyet dinh" meet (search's folded analyzers, the exchange's
agency directory and document types)."""
from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lowercase without accents, đ as d ("Quyết định" → "quyet dinh")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
