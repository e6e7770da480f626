"""Chinese full-text search over live cases.

Database full-text search splits on spaces, so 调解 would never match 人民调解委员会. We segment
text with jieba (``rjieba``, the Rust jieba-rs binding) in *search mode*, which emits both the
whole words and the dictionary words inside them (人民调解委员会 → 人民, 调解, 人民调解, 委员,
委员会, …), and keep an inverted index (``CaseSearchTerm``: one row per case and term with title
and body hit counts). A query is segmented in *precise mode*; every query word must be present.

Everything is plain rows, ``IN`` lookups on a B-tree index and ``GROUP BY``, so SQLite and
PostgreSQL answer identically, and the number of queries does not depend on the number of cases.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import rjieba
from django.db import transaction
from django.db.models import Count, F, IntegerField, QuerySet, Sum, Value
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import CasePage, CaseSearchDocument, CaseSearchTerm

MAX_QUERY_CHARS = 100
MAX_QUERY_TERMS = 8
MAX_TERM_CHARS = 64
TITLE_WEIGHT = 1000
BODY_HIT_CAP = 50
SNIPPET_CHARS = 90

# Function words that match nearly every case and carry no meaning on their own.
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "在",
        "是",
        "对",
        "把",
        "被",
        "将",
        "由",
        "为",
        "以",
        "于",
        "并",
        "等",
        "也",
        "就",
        "都",
        "而",
        "其",
        "之",
        "中",
        "上",
        "下",
        "个",
        "这",
        "那",
        "有",
        "我",
        "你",
        "他",
        "她",
        "它",
        "们",
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "is",
        "are",
    ]
)


def _is_word(token: str) -> bool:
    """True when the token has at least one letter, digit or CJK character (not punctuation)."""
    return any(unicodedata.category(ch)[0] in {"L", "N"} for ch in token)


def _clean(tokens: Iterable[str]) -> list[str]:
    out = []
    for token in tokens:
        token = token.strip().lower()
        if not token or len(token) > MAX_TERM_CHARS or token in STOPWORDS:
            continue
        if _is_word(token):
            out.append(token)
    return out


def index_tokens(text: str) -> list[str]:
    """Tokens to index: search-mode segmentation (whole words and the words inside them)."""
    if not text:
        return []
    return _clean(rjieba.cut_for_search(unicodedata.normalize("NFKC", text)))


def query_terms(query: str) -> list[str]:
    """The words a case must contain to match ``query`` (deduplicated, at most 8).

    Precise-mode words of up to three characters are kept as they are: search-mode indexing emits
    every dictionary word of two or three characters found inside longer words. A longer query word
    (人民调解) may have been segmented differently in a case's text, so it is replaced by the
    two-character words that cover it (人民, 调解).
    """
    query = unicodedata.normalize("NFKC", query or "")[:MAX_QUERY_CHARS]
    terms: list[str] = []
    for word in _clean(rjieba.cut(query)):
        if len(word) >= 4 and not word.isascii():
            parts = [p for p in _clean(rjieba.cut_for_search(word)) if len(p) == 2]
            covered: list[str] = []
            position = 0
            for part in parts:
                at = word.find(part, position)
                if at >= position:
                    covered.append(part)
                    position = at + len(part)
            terms.extend(covered or [word])
        else:
            terms.append(word)
    unique = list(dict.fromkeys(terms))
    return unique[:MAX_QUERY_TERMS]


def case_title_text(page: CasePage) -> str:
    return " ".join(filter(None, [page.title, page.method_name]))


def case_body_text(page: CasePage) -> str:
    """Everything a reader may search for besides the title, as plain text."""
    parts = [page.background]
    for step in page.step_list():
        parts.extend([step["action"], step["tools"], step["legal_basis"]])
    parts.extend([page.outcome, page.lessons, page.red_lines])
    parts.extend(f"{ref.law.name}{ref.article}" for ref in page.law_references.all())
    parts.extend(tag.name for tag in page.tags.all())
    if page.origin_org_unit_id:
        parts.append(page.origin_org_unit.name)
    return "\n".join(p for p in parts if p)


def publication_year(when) -> int | None:
    return timezone.localtime(when).year if when else None


def index_rows(case_id: int, title_text: str, body_text: str) -> list[CaseSearchTerm]:
    """The inverted-index rows of one case (shared by ``index_case`` and bulk loaders)."""
    title_counts = Counter(index_tokens(title_text))
    body_counts = Counter(index_tokens(body_text))
    return [
        CaseSearchTerm(
            case_id=case_id,
            term=term,
            title_hits=min(title_counts.get(term, 0), 32000),
            body_hits=min(body_counts.get(term, 0), 32000),
        )
        for term in set(title_counts) | set(body_counts)
    ]


@transaction.atomic
def index_case(page: CasePage) -> None:
    """(Re)build the index rows of one case from its current (live) content."""
    remove_case(page.pk)
    if not page.live:
        return
    body_text = case_body_text(page)
    rows = index_rows(page.pk, case_title_text(page), body_text)
    CaseSearchTerm.objects.bulk_create(rows, batch_size=500)
    CaseSearchDocument.objects.create(
        case_id=page.pk, body=body_text, year=publication_year(page.first_published_at)
    )


def remove_case(case_id: int) -> None:
    CaseSearchTerm.objects.filter(case_id=case_id).delete()
    CaseSearchDocument.objects.filter(case_id=case_id).delete()


def rebuild_index(pages: QuerySet | None = None) -> int:
    """Index every live case (used by ``manage.py casebank_reindex`` and the benchmark)."""
    pages = pages if pages is not None else CasePage.objects.live()
    count = 0
    for page in pages.select_related("origin_org_unit").prefetch_related(
        "law_references__law", "tags"
    ):
        index_case(page)
        count += 1
    return count


def ranked_matches(terms: list[str], candidates=None) -> QuerySet:
    """Case ids matching every term, best first: ``values("case_id", "score")``.

    ``candidates`` (a queryset of cases or an id expression such as ``filters.id_set``) narrows
    the matches.

    Title hits weigh ``TITLE_WEIGHT`` times a body hit, so a title match ranks above any
    body-only match; body hits are capped so one long case cannot drown the rest.
    """
    qs = CaseSearchTerm.objects.filter(term__in=terms)
    if candidates is not None:
        if isinstance(candidates, QuerySet):
            candidates = candidates.values("pk")
        qs = qs.filter(case_id__in=candidates)
    return (
        qs.values("case_id")
        .annotate(
            matched=Count("id"),
            score=Sum(
                F("title_hits") * TITLE_WEIGHT
                + Least(F("body_hits"), Value(BODY_HIT_CAP), output_field=IntegerField())
            ),
        )
        .filter(matched=len(terms))
        .order_by("-score", "-case_id")
    )


def matching_case_ids(terms: list[str]) -> QuerySet:
    """A subquery of the ids of cases that contain every term."""
    return ranked_matches(terms).order_by().values("case_id")


@dataclass(frozen=True)
class Highlight:
    title: SafeString
    snippet: SafeString


def _highlight(text: str, terms: list[str]) -> SafeString:
    if not terms:
        return escape(text)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.I)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def snippet(text: str, terms: list[str], length: int = SNIPPET_CHARS) -> SafeString:
    """A window of ``text`` around the first term found, with the terms in ``<mark>``."""
    text = " ".join(text.split())
    lowered = text.lower()
    positions = [p for p in (lowered.find(t) for t in terms) if p >= 0]
    start = max(0, min(positions) - length // 3) if positions else 0
    window = text[start : start + length]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + length < len(text) else ""
    return mark_safe(prefix + _highlight(window, terms) + suffix)  # noqa: S308


def highlights(pages: list[CasePage], terms: list[str]) -> dict[int, Highlight]:
    """Highlighted titles and snippets for a page of results (one query)."""
    bodies = dict(
        CaseSearchDocument.objects.filter(case_id__in=[p.pk for p in pages]).values_list(
            "case_id", "body"
        )
    )
    return {
        page.pk: Highlight(
            title=_highlight(page.title, terms),
            snippet=snippet(bodies.get(page.pk) or page.background, terms),
        )
        for page in pages
    }
