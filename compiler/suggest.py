"""'Did you mean ...?' hints for misspelt names."""

from __future__ import annotations

from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    import difflib  # only needed when something is wrong; keeps `validate` start-up lean

    options = list(choices)
    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not matches and len(word) >= 3:
        # a short name for a longer id: 'geogebra' -> 'geogebra-calculator-suite'
        matches = sorted((c for c in options if word.lower() in c.lower()), key=len)[:1]
    return f"did you mean '{matches[0]}'?" if matches else ""
