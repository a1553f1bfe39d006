"""What every search backend offers, and what they share: the query a caller may ask
(text, filters, the caller's ACL, a page), the result they get back, the document
they index, and the rules both backends must apply the same way (text parsing, which
documents may be indexed, how a snippet is marked up).

No nameko here: a backend is plain code, usable from a script (a reindex tool) as
well as from the service.
"""
from __future__ import annotations

import functools
import html
import re
import unicodedata
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from services.common.errors import InvalidInput
from services.common.text import fold  # noqa: F401 - also what the analyzers index

MAX_QUERY_CHARS = 1000
MAX_QUERY_WORDS = 64
#: Longer extracted texts are cut here (a 1,000-page PDF still fits; ES highlights up to 1 M).
MAX_CONTENT_CHARS = 1_000_000
#: Deepest result a page may reach (Elasticsearch's default max_result_window).
MAX_RESULT_WINDOW = 10_000
SNIPPET_CHARS = 200
FACETS = ("document_type", "urgency")
#: Relative weight of each searched text: a hit in the subject (trích yếu) counts most.
FIELD_WEIGHTS = {"subject": 3.0, "meta": 2.0, "content": 1.0}
#: Extra weight of the exact (accented) form over the folded one.
EXACT_BOOST = 2.0
#: Extra weight when the unquoted words stand side by side, in the order typed.
ADJACENT_BOOST = 2.0

#: The fields a document carries (event data → index).
TEXT_FIELDS = ("subject", "content", "code_number", "code_notation", "issuer_name",
               "document_type_name")
KEYWORD_FIELDS = ("document_id", "unit_id", "direction", "document_type", "urgency",
                  "confidentiality", "state", "register_id", "issuer_organ_id")
DIRECTIONS = ("incoming", "outgoing")
#: A document's state as documents names it: incoming (DOMAIN.md §1.7) and issued outgoing.
STATES = ("received", "returned", "registered", "to_assign", "assigned", "in_progress", "done",
          "recalled", "issued")
DATE_FIELDS = ("arrival_date", "issued_date")
#: How a result list may be ordered: best hits first, or newest first (by sort_at: the
#: moment an incoming document arrived, the issue date of an outgoing one).
SORTS = ("relevance", "date")
#: A prefix (``quyet*``) needs this many letters: shorter ones would match half the index.
MIN_PREFIX_CHARS = 2
#: Words this long are matched approximately when a search finds nothing as typed.
FUZZY_MIN_CHARS = 4
#: What a hit shows besides its snippet and score (API.md, search).
DISPLAY_FIELDS = ("document_id", "subject", "code_number", "code_notation", "arrival_number",
                  "arrival_date", "issued_date", "issuer_name", "document_type",
                  "document_type_name", "urgency", "unit_id", "direction", "state")

_WORD = re.compile(r"[^\W_]+")   # letters and digits, as the tokenizers split
_PREFIX = re.compile(r"([^\W_]+)\*")   # a word then *: its prefix
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _invalid_q(vi: str, en: str) -> InvalidInput:
    return InvalidInput(f"Từ khóa tìm kiếm không hợp lệ: {vi}", f"Invalid search text: {en}",
                        {"q": {"vi": vi, "en": en}})


@dataclass(frozen=True)
class ParsedText:
    """The user's text as units to match: each unit is a list of words that must
    appear in that order (one word, or a "quoted phrase"); every unit must match.
    ``prefixes`` are words typed with a trailing ``*``: each must begin some word."""
    units: tuple[tuple[str, ...], ...]
    prefixes: tuple[str, ...] = ()

    @property
    def words(self) -> list[str]:
        return [" ".join(unit) for unit in self.units if len(unit) == 1]

    @property
    def phrases(self) -> list[str]:
        return [" ".join(unit) for unit in self.units if len(unit) > 1]


def parse_text(text) -> ParsedText:
    """Words, "quoted phrases" and prefixes (``quyet*``, at least two letters); no
    other syntax exists, so no input can inject a field, a wildcard or a range. An
    unbalanced quote opens no phrase; a ``*`` after a shorter word or inside a phrase
    is ignored. Empty text, text over 1000 characters, text with no letter or digit,
    or more than 64 words → InvalidInput."""
    if not isinstance(text, str) or not text.strip():
        raise _invalid_q("hãy nhập từ khóa.", "enter some words.")
    if len(text) > MAX_QUERY_CHARS:
        raise _invalid_q(f"dài tối đa {MAX_QUERY_CHARS} ký tự.",
                         f"at most {MAX_QUERY_CHARS} characters.")
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    parts = text.split('"')
    if len(parts) % 2 == 0:           # an odd number of quotes: the last one opens nothing
        parts[-2:] = [parts[-2] + " " + parts[-1]]
    units: list[tuple[str, ...]] = []
    prefixes: list[str] = []
    for index, part in enumerate(parts):
        if index % 2 == 0:            # outside quotes: prefixes first, then words
            for match in _PREFIX.finditer(part):
                if len(match.group(1)) >= MIN_PREFIX_CHARS:
                    prefixes.append(match.group(1))
            part = _PREFIX.sub(lambda m: "" if len(m.group(1)) >= MIN_PREFIX_CHARS
                               else m.group(1), part)
        words = _WORD.findall(part)
        if index % 2 == 1 and len(words) > 1:
            units.append(tuple(words))
        else:
            units.extend((word,) for word in words)
    if not units and not prefixes:
        raise _invalid_q("cần ít nhất một chữ hoặc số.", "needs at least one letter or digit.")
    if sum(len(unit) for unit in units) + len(prefixes) > MAX_QUERY_WORDS:
        raise _invalid_q(f"tối đa {MAX_QUERY_WORDS} từ.", f"at most {MAX_QUERY_WORDS} words.")
    return ParsedText(tuple(units), tuple(dict.fromkeys(prefixes)))


def fuzzy_distance(word: str) -> int:
    """Edits allowed for a word matched approximately: none under FUZZY_MIN_CHARS
    letters, one up to 7, two from 8 (as Elasticsearch's AUTO)."""
    length = len(fold(word))
    return 0 if length < FUZZY_MIN_CHARS else 1 if length < 8 else 2


@dataclass(frozen=True)
class SearchQuery:
    """One search by one person. ``user_id`` and ``unit_ids`` are the caller's: a
    document is found only if one of its acl_units is among ``unit_ids`` or
    ``user_id`` is among its acl_users."""
    text: str
    user_id: str
    unit_ids: tuple[str, ...] = ()
    unit_id: str | None = None
    document_type: str | None = None
    urgency: str | None = None
    direction: str | None = None
    state: str | None = None
    register_id: str | None = None
    issuer_organ_id: str | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    arrival_from: date | None = None
    arrival_to: date | None = None
    page: int = 1
    page_size: int = 20
    sort: str = "relevance"
    #: Match single words approximately (a typo): the second try of a search that
    #: found nothing as typed.
    fuzzy: bool = False
    #: Count facets (the first page shows them; later pages keep the first's).
    with_facets: bool = True
    parsed: ParsedText = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "unit_ids", tuple(sorted(set(self.unit_ids))))
        object.__setattr__(self, "parsed", parse_text(self.text))
        if not self.user_id:
            raise InvalidInput("Thiếu người tìm kiếm.", "A search needs a caller.")
        if self.sort not in SORTS:
            raise InvalidInput("Cách sắp xếp không hợp lệ.", "Invalid sort order.",
                               {"sort": {"vi": "Chỉ: " + ", ".join(SORTS),
                                         "en": "One of: " + ", ".join(SORTS)}})
        if self.page < 1 or not 1 <= self.page_size <= 200:
            raise InvalidInput("Trang không hợp lệ.", "Invalid page.")
        if self.page * self.page_size > MAX_RESULT_WINDOW:
            raise InvalidInput(
                f"Chỉ xem được {MAX_RESULT_WINDOW} kết quả đầu; hãy thu hẹp tìm kiếm.",
                f"Only the first {MAX_RESULT_WINDOW} results can be paged; narrow the search.",
                {"page": {"vi": "Trang quá xa.", "en": "Page too deep."}})

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def date_ranges(self) -> dict[str, tuple[date | None, date | None]]:
        """field → (from, to) for each bounded date, both ends inclusive."""
        ranges = {"issued_date": (self.issued_from, self.issued_to),
                  "arrival_date": (self.arrival_from, self.arrival_to)}
        return {name: bounds for name, bounds in ranges.items() if bounds != (None, None)}

    def term_filters(self) -> dict[str, str]:
        filters = {"unit_id": self.unit_id, "document_type": self.document_type,
                   "urgency": self.urgency, "direction": self.direction, "state": self.state,
                   "register_id": self.register_id, "issuer_organ_id": self.issuer_organ_id}
        return {name: value for name, value in filters.items() if value}


@dataclass
class SearchResult:
    items: list[dict]
    total: int
    page: int
    page_size: int
    facets: dict[str, dict[str, int]] | None
    #: The hits match the words approximately: nothing matched them as typed.
    fuzzy: bool = False

    def to_dict(self) -> dict:
        return {"items": self.items, "total": self.total, "page": self.page,
                "page_size": self.page_size, "facets": self.facets, "fuzzy": self.fuzzy}


def empty_facets() -> dict[str, dict[str, int]]:
    return {name: {} for name in FACETS}


def _nfc(value) -> str:
    return unicodedata.normalize("NFC", str(value)) if value is not None else ""


#: The day of a moment is its day in Vietnam; a date without a time (an outgoing
#: document's issue date) counts from its start here.
_VIETNAM = timezone(timedelta(hours=7))


def _day(value) -> str | None:
    """``YYYY-MM-DD`` of a date, or of an ISO date-time as Vietnam has it (a document
    that arrived at 06:30 on the 2nd, 23:30 UTC on the 1st, arrived on the 2nd); None
    if it has none."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        value = value.isoformat()
    text = value.isoformat() if isinstance(value, date) else str(value)
    if not _DAY.match(text):
        return None
    if len(text) > 10:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text[:10]
        if moment.tzinfo is not None:
            return moment.astimezone(_VIETNAM).date().isoformat()
    return text[:10]


def _sort_moment(doc: dict, out: dict) -> str | None:
    """When a document came, as UTC ISO text: an incoming one's arrival (with its
    time), an outgoing one's issue date; else when it was registered."""
    candidates = ([doc.get("arrival_date")] if out["direction"] != "outgoing" else []) + \
        [out["issued_date"], doc.get("registered_at")]
    for value in candidates:
        if not value:
            continue
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=_VIETNAM)
        return moment.astimezone(timezone.utc).isoformat()
    return None


def epoch_millis(value: str | None) -> int | None:
    return round(datetime.fromisoformat(value).timestamp() * 1000) if value else None


def day_number(value: str | None) -> int | None:
    """2020-10-30 → 20201030: dates as integers keep range filters simple."""
    return int(value.replace("-", "")) if value else None


def is_indexable(doc: dict) -> bool:
    """Only documents that are not secret are indexed: Mật, Tối mật and Tuyệt mật
    never are, and neither is a document that does not say (deny by default)."""
    return doc.get("confidentiality") == "none"


def normalize_document(doc: dict) -> dict:
    """A document as both backends index it: texts in NFC, the content cut at
    MAX_CONTENT_CHARS, dates as YYYY-MM-DD, ACL lists of strings."""
    if not doc.get("document_id"):
        raise ValueError("a document needs a document_id")
    out = {name: _nfc(doc.get(name)) for name in TEXT_FIELDS}
    out["content"] = out["content"][:MAX_CONTENT_CHARS]
    for name in KEYWORD_FIELDS:
        out[name] = str(doc[name]) if doc.get(name) not in (None, "") else None
    for name in DATE_FIELDS:
        out[name] = _day(doc.get(name))
    out["sort_at"] = _sort_moment(doc, out)
    number = doc.get("arrival_number")
    out["arrival_number"] = number if isinstance(number, int) else (
        int(number) if isinstance(number, str) and number.isdigit() else None)
    out["acl_units"] = sorted({str(u) for u in doc.get("acl_units") or []})
    out["acl_users"] = sorted({str(u) for u in doc.get("acl_users") or []})
    out["registered_at"] = str(doc["registered_at"]) if doc.get("registered_at") else None
    revision = doc.get("revision")
    out["revision"] = int(revision) if revision is not None else None
    return out


def meta_text(doc: dict) -> str:
    """The searched text of a document's number, notation, issuer and type name."""
    return " ".join(filter(None, (doc["code_number"], doc["code_notation"], doc["issuer_name"],
                                  doc["document_type_name"])))


def display_of(doc: dict) -> dict:
    return {name: doc.get(name) for name in DISPLAY_FIELDS}


def mark_ranges(fragment: str, ranges) -> str:
    """``fragment`` as HTML with ``<mark>`` around each (start, end) range, given in
    UTF-8 byte offsets as tantivy reports them; everything else is escaped."""
    raw = fragment.encode("utf-8")
    out, position = [], 0
    for start, end in sorted(ranges):
        if start < position or end <= start:
            continue
        out.append(html.escape(raw[position:start].decode("utf-8", "replace")))
        out.append("<mark>" + html.escape(raw[start:end].decode("utf-8", "replace")) + "</mark>")
        position = end
    out.append(html.escape(raw[position:].decode("utf-8", "replace")))
    return "".join(out)


def plain_snippet(text: str, max_chars: int = SNIPPET_CHARS) -> str:
    """The start of a text, escaped, cut at a word boundary: the snippet of a
    document that matched on a field not shown (its number, its issuer)."""
    text = " ".join(text.split())
    if len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0] + " …"
    return html.escape(text)


#: How much of a long text the index's highlighter reads: it tokenizes and scores all it
#: is given, which cost 1–2 ms a hit on a law of 10 k words (most of a search's time);
#: six snippets' worth leaves it room to pick the best fragment near the words.
SNIPPET_WINDOW_CHARS = 1200


def _folded_letters() -> dict[str, str]:
    """folded letter → the letters that fold to it (Latin with its marks, and đ)."""
    letters: dict[str, set[str]] = {}
    for code in [*range(0x30, 0x250), *range(0x1E00, 0x1F00)]:
        letter = chr(code)
        folded = fold(letter)
        if len(folded) == 1 and folded.isalnum() and letter.isalnum():
            letters.setdefault(folded, set()).update(
                case for case in (letter, letter.upper(), letter.lower()) if len(case) == 1)
    return {key: "".join(sorted(value)) for key, value in letters.items()}


_FOLDED_LETTERS = _folded_letters()


@functools.cache
def _every_character() -> str:
    return "".join(chr(code) for code in range(0x20, 0x30000)
                   if not 0xD800 <= code < 0xE000)


@functools.lru_cache(maxsize=4096)
def _in_any_case(characters: str) -> str:
    """Every character re.IGNORECASE would match for one of ``characters``: the
    patterns spell the cases out, for a regex without IGNORECASE scans a law 2–3×
    faster. Worked out once per letter in a process (≈ 1.5 ms each; 30 ms once)."""
    return "".join(sorted(set(characters) | set(re.findall(
        f"[{re.escape(characters)}]", _every_character(), re.IGNORECASE))))


def _letters(token: str) -> str:
    return "".join(f"[{re.escape(_in_any_case(_FOLDED_LETTERS.get(c, c)))}]" for c in token)


def folded_patterns(units, prefixes=()) -> list[re.Pattern]:
    """A regex per unit of a query (a sequence of folded tokens, side by side) and per
    folded prefix (a word beginning with it), finding it in a text as written: "quyet
    dinh" finds "Quyết định" and "QUYẾT ĐỊNH". Word boundaries are checked by the
    caller (utf8_window_of_matches)."""
    sources = [r"[\W_]+".join(map(_letters, tokens)) for tokens in units if tokens]
    sources += [_letters(prefix) + r"[^\W_]*" for prefix in prefixes if prefix]
    return [re.compile(source) for source in dict.fromkeys(sources)]


def _whole_word(text: str, match) -> bool:
    """Not inside a longer word: the index would not match it there."""
    before, after = match.start(), match.end()
    return not ((before and text[before - 1].isalnum())
                or (after < len(text) and text[after].isalnum()))


def _first_word_match(text: str, pattern: re.Pattern, position: int = 0) -> int | None:
    return next((m.start() for m in pattern.finditer(text, position)
                 if _whole_word(text, m)), None)


def _first_word_match_so_far(text: str, pattern: re.Pattern, position: int
                             ) -> tuple[int | None, int]:
    """(the first whole-word match from ``position`` of a text that goes on after
    ``text``, or None; where to look again once more of it is read). A match that
    reaches the end of what is read may not be a whole word (or may go on): it is
    looked at again."""
    for match in pattern.finditer(text, position):
        if match.end() >= len(text):
            return None, match.start()
        if _whole_word(text, match):
            return match.start(), len(text)
    return None, max(position, len(text) - MATCH_REACH_CHARS)


#: A stored UTF-8 text is decoded this many bytes at a time while a query's words are
#: looked for in it (most are found in the first few kilobytes of a law).
UTF8_STEP_BYTES = 16_384
#: The longest match looked for again when more of a text is decoded: one cut by the
#: end of what was read so far began at most this many characters before it.
MATCH_REACH_CHARS = 400


def _char_boundary(data: bytes, at: int) -> int:
    """The first position at or after ``at`` where a UTF-8 character begins."""
    while at < len(data) and data[at] & 0xC0 == 0x80:
        at += 1
    return min(at, len(data))


def utf8_window_of_matches(data: bytes, patterns, chars: int = SNIPPET_WINDOW_CHARS,
                           step: int = UTF8_STEP_BYTES) -> str:
    """The part of a long stored text (UTF-8 ``data``) a highlighter needs: ``chars``
    characters from a little before the place where the last of ``patterns``
    (folded_patterns) first matches a whole word, so every unit of the query has been
    seen by then and the rarer words are in the window (an AND of a common and a rare
    word shows both); the start of the text if none matches (the hit matched on another
    field). A short text is whole. Only as much of ``data`` is decoded as the window
    needs, ``step`` bytes at a time: decoding all of a long law for each hit of a page
    cost more than the rest of its snippet."""
    text, read, firsts = "", 0, []
    looking = {pattern: 0 for pattern in patterns}   # pattern → where to look from
    while True:
        end = _char_boundary(data, read + step)
        text += data[read:end].decode("utf-8", "replace")
        read, whole = end, end >= len(data)
        if whole and len(text) <= chars:
            return text
        for pattern, position in list(looking.items()):
            if whole:
                first = _first_word_match(text, pattern, position)
                del looking[pattern]
            else:
                first, looking[pattern] = _first_word_match_so_far(text, pattern, position)
                if first is not None:
                    del looking[pattern]
            if first is not None:
                firsts.append(first)
        start = max(firsts) if firsts else 0
        if whole or (not looking and len(text) > start + chars):
            return _window_from(text, start, chars)


def utf8_prefix(data: bytes, chars: int) -> str:
    """The first ``chars`` characters of the UTF-8 text ``data`` (a character is at most
    four bytes)."""
    return data[:_char_boundary(data, 4 * chars)].decode("utf-8", "replace")[:chars]


def _window_from(text: str, start: int, chars: int) -> str:
    """``chars`` characters of ``text`` from a little before ``start`` (see
    utf8_window_of_matches), cut between words."""
    if start:   # a snippet shows some words before the hit: begin well before
        start = text.rfind(" ", 0, max(0, start - min(SNIPPET_CHARS, chars // 4))) + 1
    end = start + chars
    if end < len(text):   # end between words: a cut word could match what it is not
        space = text.rfind(" ", start + chars // 2, end)
        end = space if space > 0 else end
    return text[start:end]


#: How far into a text a snippet looks for a prefix's or an approximate word's match.
APPROXIMATE_SCAN_CHARS = 100_000
#: At most this many of a query's words (and prefixes) are looked for approximately in
#: a snippet: each costs an edit-distance test per distinct word of the text.
MAX_APPROXIMATE_WORDS = 8
#: ...and only the first hits of a page get such a snippet (a page of the web UI is 20);
#: later hits of a long page show the index's own highlight or the text's start.
APPROXIMATE_SNIPPETS_PER_PAGE = 20


def within_edits(word: str, target: str, limit: int) -> bool:
    """Whether ``word`` becomes ``target`` in at most ``limit`` insertions, deletions,
    substitutions or swaps of two neighbours (optimal string alignment)."""
    if abs(len(word) - len(target)) > limit:
        return False
    before, row = None, list(range(len(target) + 1))
    for i, a in enumerate(word, 1):
        current = [i] + [0] * len(target)
        for j, b in enumerate(target, 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (a != b))
            if before is not None and i > 1 and j > 1 and a == target[j - 2] \
                    and word[i - 2] == b:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return False
        before, row = row, current
    return row[-1] <= limit


def approximate_snippet(text: str, parsed: ParsedText, fuzzy: bool,
                        max_chars: int = SNIPPET_CHARS) -> str | None:
    """A snippet of ``text`` around the first word a prefix begins or (``fuzzy``) a
    word of the query nearly spells, with ``<mark>`` on each such word in it and on
    the query's other words; None if no prefix or approximate word is found. For the
    index that cannot highlight those matches itself."""
    prefixes = list(dict.fromkeys(fold(prefix) for prefix in parsed.prefixes))
    near = [(word, fuzzy_distance(word)) for word in
            dict.fromkeys(fold(word) for word in parsed.words)] if fuzzy else []
    # bounded work: only the first few words are matched approximately (64 of them
    # cost seconds a hit); the others are still marked where they appear as typed
    near = [(word, distance) for word, distance in near if distance][:MAX_APPROXIMATE_WORDS]
    prefixes = prefixes[:MAX_APPROXIMATE_WORDS]
    exact = {fold(word) for unit in parsed.units for word in unit}
    verdicts: dict[str, tuple[bool, bool]] = {}   # a text repeats its words: judged once

    def judge(word: str) -> tuple[bool, bool]:
        """(marked, exact) for a word of the text."""
        if word not in verdicts:
            folded = fold(word)
            is_exact = folded in exact
            verdicts[word] = (is_exact or any(folded.startswith(p) for p in prefixes) or any(
                within_edits(folded, w, d) for w, d in near), is_exact)
        return verdicts[word]

    if not prefixes and not near:
        return None
    text = text[:APPROXIMATE_SCAN_CHARS]
    found = []
    first_approximate = None
    for match in _WORD.finditer(text):
        if first_approximate is not None and match.start() > first_approximate + max_chars:
            break   # past any window the snippet can show
        marked, is_exact = judge(match.group())
        if marked:
            found.append((match, is_exact))
            if not is_exact and first_approximate is None:
                first_approximate = match.start()
    if all(is_exact for _, is_exact in found):
        return None
    found = [match for match, _ in found]
    start = max(0, found[0].start() - max_chars // 4)
    start = text.rfind(" ", 0, start) + 1 if start else 0
    end = min(len(text), start + max_chars)
    out, position = [], start
    for match in found:
        if match.start() < start or match.end() > end:
            continue
        out.append(html.escape(text[position:match.start()]))
        out.append("<mark>" + html.escape(match.group()) + "</mark>")
        position = match.end()
    out.append(html.escape(text[position:end]))
    snippet = " ".join("".join(out).split())
    return ("… " if start else "") + snippet + (" …" if end < len(text) else "")


class SearchBackend(ABC):
    """The index behind the search service. Implementations are safe to share
    between the green threads of one process."""

    #: ``search`` is CPU work in native code touching nothing green (no socket, no
    #: lock): the service runs it in an OS thread, so the process goes on serving
    #: meanwhile and two searches use two cores.
    searches_in_threads = False

    @abstractmethod
    def upsert_many(self, docs: list[dict]) -> int:
        """Index (or replace) these documents in one batch, visible to searches on
        return. A document that is not indexable is removed instead; a document
        whose ``revision`` is older than the indexed one is left alone. Returns how
        many were written."""

    def upsert(self, doc: dict) -> bool:
        return self.upsert_many([doc]) == 1

    @abstractmethod
    def delete(self, document_id: str) -> None:
        """Remove a document (no error if it is not there)."""

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchResult:
        """The caller's page of hits, best first, with facet counts over all hits."""

    @abstractmethod
    def count(self) -> int:
        """How many documents the index holds."""

    @abstractmethod
    def close(self) -> None:
        """Release the index (its writer lock, its connections)."""

    # A rebuild: a new, empty index is made beside the live one and filled
    # (``target.upsert_many``) while searches and changes go on in the live one; then
    # it replaces the live one at once. Changes made to the live index meanwhile are
    # the caller's to apply again to the new one (search does, from its tables).

    @abstractmethod
    def start_rebuild(self, generation: str):
        """A new empty index named after ``generation`` (letters, digits, - and _),
        beside the live one; returns it (it has ``upsert_many`` and ``count``)."""

    @abstractmethod
    def finish_rebuild(self, target) -> None:
        """Searches and changes go to ``target`` from now on; the old index is dropped."""

    @abstractmethod
    def discard_rebuild(self, target) -> None:
        """Drop an unfinished rebuild; the live index is untouched."""
