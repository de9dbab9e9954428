"""Split a sentence into the clauses of a requirement list, for clause-level scoring.

Job-ad sentences often pack several requirements into one line ("Fluency in English, excellent
communication and collaboration skills as well as independence in project writing"). One
sentence embedding blurs them, so the ranker also scores each clause and keeps, per skill, the
better of the sentence score and the best clause score minus a margin
(`skillx.ranker.SemanticRanker`). The split is deliberately plain: punctuation that separates
list items and the conjunctions "and" / "or".
"""

from __future__ import annotations

import re

_CLAUSE_BOUNDARY = re.compile(r"[,;:()•]| and | or ", flags=re.IGNORECASE)
MIN_CLAUSE_WORDS = 2  # a lone word ("Java", "skills") is scored better inside its sentence


def split_clauses(sentence: str, *, min_words: int = MIN_CLAUSE_WORDS) -> list[str]:
    """The clauses of `sentence` with at least `min_words` words, or [] if it has fewer than two.

    Example:
        >>> split_clauses("Fluency in English, good communication and project writing skills")
        ['Fluency in English', 'good communication', 'project writing skills']
        >>> split_clauses("Experience with SQL")
        []
    """
    pieces = (piece.strip() for piece in _CLAUSE_BOUNDARY.split(sentence))
    clauses = [piece for piece in pieces if len(piece.split()) >= min_words]
    return clauses if len(clauses) >= 2 else []
