"""The wording tag vocabulary, defined once: the four tags and the behaviours of each.

Every other module (the tagger, its rules and model, the evaluation and training scripts, the
labelled-set loader) imports these names from here. The labelling guide is ``data/LABELLING.md``.
"""
from __future__ import annotations

__all__ = ["TAGS", "BEHAVIOURS", "TAG_OF", "tag_of"]

TAGS = ("push", "pull", "move_away", "neutral")

# tag -> its behaviours; a neutral sentence has no behaviour (None)
BEHAVIOURS = {
    "push": ("proposing", "reasoning", "stating_expectations", "evaluating", "incentives"),
    "pull": ("involving", "listening", "disclosing", "common_ground", "shared_vision"),
    "move_away": ("disengaging", "avoiding"),
}

# behaviour -> its tag, derived from BEHAVIOURS
TAG_OF = {behaviour: tag for tag, behaviours in BEHAVIOURS.items() for behaviour in behaviours}


def tag_of(behaviour: str | None) -> str:
    """The tag of a behaviour: ``"neutral"`` for ``None`` or a name outside the vocabulary."""
    return TAG_OF.get(behaviour, "neutral")
