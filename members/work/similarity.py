"""Copy detection for members' work: character shingles, MinHash signatures, LSH banding.

A text is normalised (NFKC, lower case, only Chinese characters, letters and digits kept) and cut
into overlapping shingles of ``K`` characters. Its signature is a *one-permutation* MinHash
(Li, Owen & Zhang 2012; densified by rotation, Shrivastava & Li 2014): each shingle's 64-bit
hash falls into one of ``NUM_HASHES`` bins and each bin keeps its minimum, so a signature costs
one pass over the text in pure Python. The share of equal bins between two signatures estimates
the Jaccard similarity of the shingle sets.

The signature is cut into ``BANDS`` bands of ``ROWS`` values; each band's hash is stored in
``FingerprintBand`` with the group and year, indexed. A check looks up its own band hashes
(one indexed query), takes the texts sharing the most bands as candidates, ranks them by the
estimated Jaccard of their stored signatures, and compares the best few exactly: the overlap
reported is the *containment*, the share of this text's shingles found in the other, and the
shared passages are the runs of characters covered by shared shingles (so reordered paragraphs
are still found). The meeting's materials (plain-text and Word files) are compared exactly.
"""

from __future__ import annotations

import hashlib
import re
import struct
import time
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Count

from members.work.models import FingerprintBand, MemberWork, SimilarityCheck, TextFingerprint
from members.work.text import plain_text

K = 4
NUM_HASHES = 128
BANDS = 32
ROWS = NUM_HASHES // BANDS
CANDIDATES = 20  # texts sharing the most bands, ranked by their signatures
VERIFY = 3  # of those, how many are compared exactly
MIN_PASSAGE = 10  # shortest shared passage worth highlighting, in normalised characters
_BIN_BITS = 7  # 2**7 == NUM_HASHES
_VALUE_MASK = (1 << 57) - 1
_EMPTY = 1 << 64
_KEEP = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff0-9a-z]")
_PACK = struct.Struct(f"<{NUM_HASHES}Q")

assert 1 << _BIN_BITS == NUM_HASHES


_KEEP_ALL = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff0-9a-z]+")


def normalise(text: str) -> tuple[str, list[int]]:
    """The text reduced to what counts for copying, and each kept character's original index."""
    text = text or ""
    folded = unicodedata.normalize("NFKC", text).lower()
    if len(folded) != len(text):  # a character expanded (rare): fold one by one to keep indexes
        folded = "".join(
            c if len(c) == 1 else "\0" for c in (unicodedata.normalize("NFKC", ch).lower() for ch in text)
        )
    kept, where = [], []
    for match in _KEEP_ALL.finditer(folded):
        kept.append(match.group(0))
        where.extend(range(match.start(), match.end()))
    return "".join(kept), where


def _hash(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "little")


def shingle_hashes(norm: str) -> list[int]:
    """The hash of the shingle starting at each position (repeats kept, in order)."""
    return [_hash(norm[i:i + K]) for i in range(len(norm) - K + 1)]


def signature(hashes) -> list[int] | None:
    bins = [_EMPTY] * NUM_HASHES
    for h in hashes:
        b = h & (NUM_HASHES - 1)
        v = (h >> _BIN_BITS) & _VALUE_MASK
        if v < bins[b]:
            bins[b] = v
    if all(v == _EMPTY for v in bins):
        return None
    # Densify: an empty bin borrows the next non-empty bin to its right, marked by the distance.
    dense = list(bins)
    for b in range(NUM_HASHES):
        if bins[b] != _EMPTY:
            continue
        for distance in range(1, NUM_HASHES):
            value = bins[(b + distance) % NUM_HASHES]
            if value != _EMPTY:
                dense[b] = (value + distance * (1 << 57)) & ((1 << 64) - 1)
                break
    return dense


def band_hashes(sig: list[int]) -> list[int]:
    result = []
    for band in range(BANDS):
        chunk = struct.pack(f"<B{ROWS}Q", band, *sig[band * ROWS:(band + 1) * ROWS])
        value = int.from_bytes(hashlib.blake2b(chunk, digest_size=8).digest(), "little", signed=True)
        result.append(value)
    return result


def pack(sig: list[int]) -> bytes:
    return _PACK.pack(*sig)


def unpack(data) -> tuple[int, ...]:
    return _PACK.unpack(bytes(data))


def estimated_jaccard(a, b) -> float:
    return sum(1 for x, y in zip(a, b) if x == y) / NUM_HASHES


@dataclass
class Comparison:
    score: float  # containment: share of this text's shingles found in the other
    own_spans: list = field(default_factory=list)
    other_spans: list = field(default_factory=list)


def _covered_spans(norm: str, where: list[int], hashes: list[int], shared: set[int]) -> list[list[int]]:
    """Runs of original-text positions covered by shingles in ``shared``, as [start, end)."""
    covered = [False] * len(norm)
    for i, h in enumerate(hashes):
        if h in shared:
            for j in range(i, i + K):
                covered[j] = True
    spans, start = [], None
    for i, flag in enumerate(covered + [False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start >= MIN_PASSAGE:
                spans.append([where[start], where[i - 1] + 1])
            start = None
    return spans


@dataclass
class Prepared:
    text: str
    norm: str
    where: list
    hashes: list
    unique: set


def prepare(text: str) -> Prepared:
    norm, where = normalise(text)
    hashes = shingle_hashes(norm)
    return Prepared(text, norm, where, hashes, set(hashes))


def compare(text, other) -> Comparison:
    """Exact containment of ``text`` in ``other`` and the shared passages of both (either may be
    a ``Prepared`` text, so a check prepares its own text once)."""
    own = text if isinstance(text, Prepared) else prepare(text)
    them = other if isinstance(other, Prepared) else prepare(other)
    if not own.unique or not them.unique:
        return Comparison(0.0)
    shared = own.unique & them.unique
    return Comparison(
        score=len(shared) / len(own.unique),
        own_spans=_by_paragraph(own.text, _covered_spans(own.norm, own.where, own.hashes, shared)),
        other_spans=_by_paragraph(them.text, _covered_spans(them.norm, them.where, them.hashes, shared)),
    )


def _by_paragraph(text: str, spans: list[list[int]]) -> list[list[int]]:
    """Spans cut at line breaks, so each highlighted passage stays inside its paragraph."""
    result = []
    for start, end in spans:
        while start < end:
            cut = text.find("\n", start, end)
            piece_end = end if cut < 0 else cut
            if piece_end - start >= MIN_PASSAGE:
                result.append([start, piece_end])
            start = piece_end + 1 if cut >= 0 else end
    return result


def text_of(work: MemberWork) -> str:
    return plain_text(work.body, work.body_is_html)


def fingerprint_store(work: MemberWork, *, text: str | None = None) -> TextFingerprint | None:
    """Store (or replace) the signature and band hashes of a submitted work."""
    text = text_of(work) if text is None else text
    norm, _ = normalise(text)
    hashes = shingle_hashes(norm)
    sig = signature(hashes)
    TextFingerprint.objects.filter(work=work).delete()
    if sig is None:
        return None
    fingerprint = TextFingerprint.objects.create(
        work=work, group_id=work.group_id, year=work.year, signature=pack(sig),
        shingle_count=len(set(hashes)),
    )
    FingerprintBand.objects.bulk_create(
        FingerprintBand(fingerprint=fingerprint, group_id=work.group_id, year=work.year, band_hash=h)
        for h in band_hashes(sig)
    )
    return fingerprint


def material_texts(meeting) -> list[tuple[str, str]]:
    """(title, text) of the meeting's materials whose text can be read: .txt, .md and .docx."""
    if meeting is None:
        return []
    found = []
    for material in meeting.materials.filter(withdrawn_at__isnull=True).exclude(file=""):
        name = (material.original_name or material.file.name).lower()
        try:
            if name.endswith((".txt", ".md")):
                with material.file.open("rb") as handle:
                    data = handle.read(2_000_000)
                found.append((material.title, data.decode("utf-8", errors="ignore")))
            elif name.endswith(".docx"):
                import docx

                with material.file.open("rb") as handle:
                    document = docx.Document(handle)
                found.append((material.title, "\n".join(p.text for p in document.paragraphs)))
        except (OSError, ValueError, KeyError):
            continue
    return found


def candidates(work: MemberWork, sig: list[int], *, limit: int = CANDIDATES):
    """Fingerprints of the same group and year sharing the most bands with ``sig``."""
    rows = (
        FingerprintBand.objects.filter(group_id=work.group_id, year=work.year, band_hash__in=band_hashes(sig))
        .exclude(fingerprint__work_id=work.pk)
        .values("fingerprint_id")
        .annotate(shared=Count("id"))
        .order_by("-shared")[:limit]
    )
    ids = [row["fingerprint_id"] for row in rows]
    return list(TextFingerprint.objects.filter(pk__in=ids).only("pk", "work_id", "signature"))


def check(work: MemberWork, *, text: str | None = None, save: bool = True) -> SimilarityCheck:
    """Compare ``work`` with its group's year and its meeting's materials; return the result."""
    started = time.perf_counter()
    text = text_of(work) if text is None else text
    own = prepare(text)
    sig = signature(own.hashes)
    result = SimilarityCheck(work=work, score=0.0)
    if sig is None:
        result.elapsed_ms = (time.perf_counter() - started) * 1000
        if save:
            result.save()
        return result
    found = candidates(work, sig)
    ranked = sorted(found, key=lambda f: estimated_jaccard(sig, unpack(f.signature)), reverse=True)[:VERIFY]
    others = {w.pk: w for w in MemberWork.objects.filter(pk__in=[f.work_id for f in ranked]).select_related("author")}
    best = None
    for fingerprint in ranked:
        other = others.get(fingerprint.work_id)
        if other is None:
            continue
        other_text = text_of(other)
        comparison = compare(own, other_text)
        if best is None or comparison.score > best[0].score:
            best = (comparison, other, f"{other.author} · {other.title}", other_text)
    for title, material_text in material_texts(work.meeting):
        comparison = compare(own, material_text)
        if best is None or comparison.score > best[0].score:
            best = (comparison, None, title, material_text)
    result.candidates = len(found)
    if best is not None:
        comparison, other, label, other_text = best
        result.score = round(comparison.score, 4)
        result.closest_work = other
        result.closest_label = label[:250]
        result.own_passages = comparison.own_spans
        result.other_passages = comparison.other_spans
        result.other_text = other_text
    result.elapsed_ms = (time.perf_counter() - started) * 1000
    if save:
        result.save()
    return result
