"""Ingest's normalisers as they were before the CPU work of session 2 (commit f32bb0f), copied
verbatim (imports aside): the oracle that tests/unit/ingest/test_fast_paths.py compares the
current, faster code against. Do not edit them to make a test pass."""
