"""The subscriptions and gigs every engine is measured on (seeded, identical for all).

* ``current``: :class:`bench.matcher_bench.Generator` as it is (a gig fits about 6 % of the
  subscriptions: 30 % of them take any domain, most without keywords).
* ``realistic``: the same gigs; subscriptions drawn by the same generator, then narrowed as
  people who save a search for alerts narrow them: a domain for nearly all (any domain for
  2 %, and those always with keywords), keywords for 80 % (1–2 synonyms of their own domain,
  or for a tenth of them skill names), a rate floor for 90 % (median ¥6,000) of which 20 %
  take unknown rates, locations for 25 %. A gig fits 1.2 % of them on average (median
  0.6 %, p10 0.06 %, p90 2.9 % at 100,000; the runner prints the distribution).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

import numpy as np

from bench.matcher_bench import SKILLS, Generator
from gigalert_matcher.matching import Criteria, GigFacts
from gigalert_shared.taxonomy import normalise_text

WORKLOADS: Final = ("current", "realistic")


@dataclass
class Realistic(Generator):
    def subscriptions(self, n: int) -> list[Criteria]:
        base = super().subscriptions(n)
        rng = np.random.default_rng(self.seed + 1)
        any_domain = (rng.random(n) < 0.02).tolist()
        pick = rng.random(n).tolist()
        kw = (rng.random(n) < 0.80).tolist()
        skill_kw = (rng.random(n) < 0.10).tolist()
        kw_count = rng.integers(1, 3, size=n).tolist()
        kw_pick = rng.random((n, 3)).tolist()
        floor = (rng.random(n) < 0.90).tolist()
        unknown_ok = (rng.random(n) < 0.20).tolist()
        floors = np.clip(np.round(rng.lognormal(np.log(6000), 0.3, n) / 500) * 500, 1500, 15000)
        floor_list = floors.astype(np.int64).tolist()
        loc = (rng.random(n) < 0.25).tolist()
        loc_pick = rng.integers(0, len(self.prefs), size=n).tolist()
        skills = [normalise_text(s) for s in SKILLS]
        out: list[Criteria] = []
        for i, c in enumerate(base):
            domains = c.domains
            if any_domain[i]:
                domains = self._set([])
            elif not domains:
                domains = self._set([self.domains[int(pick[i] * len(self.domains))]])
            keywords: tuple[str, ...] = ()
            if kw[i] or not domains:
                if skill_kw[i]:
                    pool = skills
                else:
                    source = sorted(domains)[0] if domains else self.domains[0]
                    pool = self.norm_synonyms[source]
                words = dict.fromkeys(pool[int(x * len(pool))] for x in kw_pick[i][: kw_count[i]])
                keywords = self._tuple(list(words))
            locations = c.locations
            if loc[i] and not locations:
                locations = self._tuple([self.prefs[loc_pick[i]]])
            out.append(
                replace(
                    c,
                    domains=domains,
                    keywords_any=keywords,
                    min_rate_jpy_h=floor_list[i] if floor[i] else None,
                    include_unknown_rate=unknown_ok[i],
                    locations=locations,
                )
            )
        return out


def generate(
    workload: str, n_subs: int, n_gigs: int, seed: int
) -> tuple[list[Criteria], list[GigFacts]]:
    gen: Generator = Realistic(seed=seed) if workload == "realistic" else Generator(seed=seed)
    subs = gen.subscriptions(n_subs)
    return subs, gen.gigs(n_gigs)
