"""`LiteralMatcher`: finds every ESCO surface form in text, with offsets and skill URIs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ahocorasick

from skillx.errors import InputError
from skillx.matching import cache as matcher_cache
from skillx.matching.normalise import ARTICLES, is_case_sensitive, make_normaliser, tokenize
from skillx.matching.stop_list import load_stop_list
from skillx.taxonomy import LabelKind, Taxonomy

_KIND_RANK = {LabelKind.PREFERRED: 0, LabelKind.ALTERNATIVE: 1, LabelKind.HIDDEN: 2}
_BARRIERS = frozenset(".,;:!?()[]")
CACHE_MIN_SKILLS = 1000
"""With ``cache=None`` the groups of taxonomies with at least this many skills are cached on disk."""
_GroupRecord = matcher_cache.GroupRecord


@dataclass(frozen=True, slots=True)
class LiteralHit:
    """One literal occurrence of a surface form in a text.

    Attributes:
        start: Offset of the first character in the text given to `match`.
        end: Offset just after the last character (exclusive).
        text: ``text[start:end]``, the words as written.
        surface_form: The taxonomy label that matched (the most authoritative one when
            several labels normalise to the same words).
        kind: Whether that label is a preferred, alternative or hidden label.
        uris: Every skill having a label that matches here, in taxonomy order.
        ambiguous: True when more than one skill shares the matched form.
        nested: True when the hit lies inside (or overlaps) a longer hit; the longest hit
            is the main evidence and nested ones are optional.
    """

    start: int
    end: int
    text: str
    surface_form: str
    kind: LabelKind
    uris: tuple[str, ...]
    ambiguous: bool
    nested: bool


@dataclass(slots=True)
class _Group:
    surface_form: str
    kind: LabelKind
    positions: list[int]  # taxonomy positions of the skills having this form


class LiteralMatcher:
    """Literal matcher over all surface forms (preferred, alternative, hidden) of a taxonomy.

    Text and labels are tokenised alike; with ``normalise=True`` each word is lower-cased
    and Snowball-stemmed and articles are dropped, so "managing the budgets" matches
    "manage budget"; two-word skill labels also match in reverse order ("budget
    management"). Matching runs as one Aho-Corasick pass over the normalised tokens.

    Args:
        taxonomy: The taxonomy whose labels are matched.
        stop_list: Surface forms too generic to count as evidence. ``"default"`` uses the
            list shipped in ``skillx/data/stop_list_en.json`` (computed over a job-ad
            corpus, see ``docs/distant-supervision.md``); ``None`` disables it; a path to a
            JSON file (a list, or an object with a ``"forms"`` list) or any iterable of
            strings gives your own.
        case_rules: Match short or acronym forms ("R", "Go", "IT") case-sensitively.
        normalise: Stem words and ignore word order of two-word skill labels; when False
            only case is folded.
        cache: Keep the normalised labels on disk (``skillx.paths.cache_dir("matcher")``,
            keyed by taxonomy fingerprint, stop list and options) so the next build only
            rebuilds the automaton (about half the build time on full ESCO). None caches taxonomies of at
            least `CACHE_MIN_SKILLS` skills; a stale or corrupt file is rebuilt.

    Raises:
        InputError: If `stop_list` cannot be read.

    Example:
        >>> from skillx.taxonomy import Skill, Taxonomy
        >>> m = LiteralMatcher(Taxonomy([Skill("urn:b", "manage budgets")]), stop_list=None)
        >>> [(h.text, h.uris) for h in m.match("Managing the budget is key")]
        [('Managing the budget', ('urn:b',))]
    """

    def __init__(
        self,
        taxonomy: Taxonomy,
        *,
        stop_list: str | Path | Iterable[str] | None = "default",
        case_rules: bool = True,
        normalise: bool = True,
        cache: bool | None = None,
    ) -> None:
        if not isinstance(taxonomy, Taxonomy):
            raise InputError(
                f"LiteralMatcher needs a skillx Taxonomy, got {type(taxonomy).__name__}. "
                "Load one with skillx.read_esco_csv(path)."
            )
        self.taxonomy = taxonomy
        self.case_rules = case_rules
        self.normalise = normalise
        self.stop_list = stop_list
        self.cache = cache
        self._norm = make_normaliser(normalise)
        self.stop_forms_: frozenset[str] = load_stop_list(stop_list, language=taxonomy.language)
        self._build()

    # -- building -------------------------------------------------------------------------
    def key(self, form: str) -> str | None:
        """Normalised key of a surface form (``" tok tok "``), or None if it has no words."""
        tokens = [self._norm(t) for t, _, _ in tokenize(form)]
        if self.normalise:
            tokens = [t for t in tokens if t not in ARTICLES] or tokens
        return f" {' '.join(tokens)} " if tokens else None

    def _build(self) -> None:
        cache = self.cache
        if cache is None:
            cache = len(self.taxonomy) >= CACHE_MIN_SKILLS
        loaded = None
        if cache:
            key = matcher_cache.cache_key(
                self.taxonomy, self.stop_forms_, case_rules=self.case_rules, normalise=self.normalise
            )
            path = matcher_cache.cache_path(key)
            loaded = matcher_cache.load_groups(path, key)
        if loaded is not None:
            norm_groups, exact_groups = loaded
            self.cache_hit_ = True
        else:
            norm_groups, exact_groups = self._compute_groups()
            self.cache_hit_ = False
            if cache:
                try:
                    matcher_cache.save_groups(path, key, norm_groups, exact_groups)
                except OSError as exc:  # a read-only cache must not stop the user
                    import warnings

                    warnings.warn(
                        f"Could not write the literal-matcher cache ({exc}); continuing without it.",
                        stacklevel=3,
                    )
        self._install(norm_groups, exact_groups)

    def _compute_groups(self) -> tuple[dict[str, _GroupRecord], dict[str, _GroupRecord]]:
        """Tokenise and normalise every surface form: ``(norm_groups, exact_groups)``."""
        norm_groups: dict[str, _GroupRecord] = {}
        exact_groups: dict[str, _GroupRecord] = {}
        reversed_keys: dict[str, list[tuple[str, LabelKind, str]]] = {}
        stop_keys = {k for k in map(self.key, self.stop_forms_) if k}
        stop_exact = {f.strip() for f in self.stop_forms_}
        skill_type = {s.uri: s.skill_type for s in self.taxonomy}
        position = self.taxonomy.position
        for form in self.taxonomy.surface_forms():
            if self.case_rules and is_case_sensitive(form.text):
                token = tokenize(form.text)[0][0]
                if token in stop_exact:
                    continue
                _add(exact_groups, token, form.text, form.kind, position(form.uri))
                continue
            key = self.key(form.text)
            if key is None or key in stop_keys:
                continue
            _add(norm_groups, key, form.text, form.kind, position(form.uri))
            words = key.split()
            if self.normalise and len(words) == 2 and skill_type[form.uri] != "knowledge":
                swapped = f" {words[1]} {words[0]} "
                reversed_keys.setdefault(swapped, []).append((form.text, form.kind, form.uri))
        for key, forms in reversed_keys.items():
            if key in norm_groups or key in stop_keys:
                continue  # a label spells this order out: that label wins
            for text, kind, uri in forms:
                _add(norm_groups, key, text, kind, position(uri))
        return norm_groups, exact_groups

    def _install(self, norm_groups: dict[str, _GroupRecord], exact_groups: dict[str, _GroupRecord]) -> None:
        """Build the Aho-Corasick automaton and the exact-token table from the groups."""
        self._uris = self.taxonomy.uris
        self._groups: list[_Group] = []
        automaton = ahocorasick.Automaton()
        for key, (text, kind, positions) in norm_groups.items():
            automaton.add_word(key, (key.count(" ") - 1, len(self._groups)))
            self._groups.append(_Group(text, kind, positions))
        self._exact: dict[str, int] = {}
        for token, (text, kind, positions) in exact_groups.items():
            self._exact[token] = len(self._groups)
            self._groups.append(_Group(text, kind, positions))
        if len(automaton) == 0:
            automaton.add_word("\x00", (1, -1))  # an empty automaton cannot be searched
        automaton.make_automaton()
        self._automaton = automaton
        self.n_forms_ = len(norm_groups) + len(exact_groups)

    # -- matching -------------------------------------------------------------------------
    def match(self, text: str) -> list[LiteralHit]:
        """All literal hits in `text`, by position (longest first at equal start).

        Args:
            text: Any text; offsets of the hits index this string.

        Returns:
            Hits sorted by start offset; hits inside a longer hit have ``nested=True``.

        Raises:
            InputError: If `text` is not a string.
        """
        if not isinstance(text, str):
            raise InputError(f"match() needs a str, got {type(text).__name__}.")
        tokens = tokenize(text)
        if not tokens:
            return []
        norm = self._norm
        kept: list[int] = []  # index into tokens of each token in the normalised stream
        parts: list[str] = []
        end_at: dict[int, int] = {}  # stream offset of the space after a token -> stream index
        pos = 1
        drop = ARTICLES if self.normalise else ()
        for i, (tok, _, _) in enumerate(tokens):
            value = norm(tok)
            if value in drop:
                continue
            pos += len(value)
            end_at[pos] = len(kept)
            kept.append(i)
            parts.append(value)
            pos += 1
        spans: dict[tuple[int, int], list[int]] = {}
        if parts:
            stream = f" {' '.join(parts)} "
            for end, (n_words, group) in self._automaton.iter(stream):
                if group < 0:
                    continue
                last = end_at[end]
                first = kept[last - n_words + 1]
                spans.setdefault((first, kept[last]), []).append(group)
        if self._exact:
            for i, (tok, _, _) in enumerate(tokens):
                group = self._exact.get(tok)
                if group is None:
                    continue
                form = self._groups[group].surface_form
                if form[:1].isupper() and form[1:].islower() and (i == 0 or tokens[i - 1][0] in _BARRIERS):
                    continue  # "Go" at the start of a sentence is the verb
                spans.setdefault((i, i), []).append(group)
        return self._resolve(text, tokens, spans)

    def _resolve(
        self, text: str, tokens: list[tuple[str, int, int]], spans: dict[tuple[int, int], list[int]]
    ) -> list[LiteralHit]:
        if not spans:
            return []
        order = sorted(spans, key=lambda s: (s[0] - s[1], s[0]))  # longest first
        covered: list[tuple[int, int]] = []
        hits: list[LiteralHit] = []
        for first, last in order:
            nested = any(a <= last and first <= b for a, b in covered)
            if not nested:
                covered.append((first, last))
            groups = [self._groups[g] for g in dict.fromkeys(spans[(first, last)])]
            best = min(groups, key=lambda g: _KIND_RANK[g.kind])
            positions = list(dict.fromkeys(p for g in groups for p in g.positions))
            if len(groups) > 1:
                positions.sort()
            uris = tuple(self._uris[p] for p in positions)
            start, end = tokens[first][1], tokens[last][2]
            hits.append(
                LiteralHit(
                    start, end, text[start:end], best.surface_form, best.kind, uris, len(uris) > 1, nested
                )
            )
        hits.sort(key=lambda h: (h.start, -h.end))
        return hits

    def match_many(self, texts: Iterable[str]) -> list[list[LiteralHit]]:
        """`match` over many texts, in order."""
        return [self.match(text) for text in texts]

    def __repr__(self) -> str:
        return (
            f"LiteralMatcher(taxonomy={self.taxonomy.name} {self.taxonomy.version}, forms={self.n_forms_}, "
            f"stop_forms={len(self.stop_forms_)}, case_rules={self.case_rules}, normalise={self.normalise})"
        )

    def describe(self) -> dict[str, Any]:
        """Settings and sizes, as plain JSON-able data."""
        return {
            "taxonomy": self.taxonomy.name,
            "version": self.taxonomy.version,
            "fingerprint": self.taxonomy.fingerprint,
            "forms": self.n_forms_,
            "stop_forms": len(self.stop_forms_),
            "case_rules": self.case_rules,
            "normalise": self.normalise,
        }


def _add(groups: dict[str, _GroupRecord], key: str, text: str, kind: LabelKind, position: int) -> None:
    group = groups.get(key)
    if group is None:
        groups[key] = (text, kind, [position])
        return
    _, best_kind, positions = group
    if position not in positions:
        positions.append(position)
    if _KIND_RANK[kind] < _KIND_RANK[best_kind]:
        groups[key] = (text, kind, positions)
