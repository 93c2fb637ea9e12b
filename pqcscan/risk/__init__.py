"""The risk model: pure functions over an inventory snapshot and business contexts, ranking
migration items into an explainable backlog. networkx is used here and nowhere else.

API::

    from pqcscan.risk import rank, load_profile, explain_markdown

    profile = load_profile("default")            # or "cnsa", "eu", or a YAML path
    result = rank(snapshot, contexts, mapping, profile, as_of=date.today())
    for item in result.items:                     # backlog order
        print(item.score, item.wave.value, item.title, item.wave_reason)
    print(explain_markdown(result.items[0]))

Modules: :mod:`.items` (migration items), :mod:`.graph` (dependency graph, propagation),
:mod:`.factors` (the six FSC factors), :mod:`.waves` (waves, precedence, order, due dates),
:mod:`.remediation`, :mod:`.explain`, :mod:`.profile`, :mod:`.model` (the output values).
See docs/risk-model.md.
"""

from __future__ import annotations

from pqcscan.risk.engine import MODEL_VERSION, Ranking, rank, rank_lazily
from pqcscan.risk.explain import explain_markdown, summary_line
from pqcscan.risk.model import (
    Dependant,
    FactorScore,
    Mosca,
    Provenance,
    RankedItem,
    RiskResult,
    Threat,
    Wave,
)
from pqcscan.risk.profile import (
    RiskProfile,
    available_profiles,
    load_profile,
    profile_from_document,
)

__all__ = [
    "MODEL_VERSION",
    "Dependant",
    "FactorScore",
    "Mosca",
    "Provenance",
    "RankedItem",
    "Ranking",
    "RiskProfile",
    "RiskResult",
    "Threat",
    "Wave",
    "available_profiles",
    "explain_markdown",
    "load_profile",
    "profile_from_document",
    "rank",
    "rank_lazily",
    "summary_line",
]
