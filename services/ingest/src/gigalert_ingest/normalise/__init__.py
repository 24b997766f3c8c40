"""Pure functions that read what platforms write (pay, remote mode, days) into our types.

No I/O: each function takes text or numbers and returns values; see each module's docstring
for its rules.
"""

from .days import DaysPerWeek, days_from_numbers, parse_days, parse_days_cached
from .hourly import NormalisedRate, plausible
from .rates import RateHints, normalise_structured_rate, parse_rate_text
from .remote import parse_remote

__all__ = [
    "DaysPerWeek",
    "NormalisedRate",
    "RateHints",
    "days_from_numbers",
    "normalise_structured_rate",
    "parse_days",
    "parse_days_cached",
    "parse_rate_text",
    "parse_remote",
    "plausible",
]
