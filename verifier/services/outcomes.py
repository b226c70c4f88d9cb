"""One word per check outcome, everywhere: the counter, the claim window, receipts and PDFs.

The counter said "Couvert" where the claim window said "Droits ouverts" (issue 9, point
10). Every screen and document names an outcome through `outcome_label`.
"""

from __future__ import annotations

from verifier import i18n

i18n.register(
    {
        "outcome.covered": ("Droits ouverts", "Covered"),
        "outcome.partial": ("Droits partiels", "Partly covered"),
        "outcome.not_covered": ("Droits non ouverts", "Not covered"),
        "outcome.unverified": ("Droits impossibles à vérifier", "Could not be checked"),
    }
)


def outcome_label(outcome: str, in_sentence: bool = False) -> str:
    """The outcome's one wording ("Droits ouverts"); in a sentence, with a small first letter."""
    label = i18n.tr(f"outcome.{outcome}")
    return label[:1].lower() + label[1:] if in_sentence else label
