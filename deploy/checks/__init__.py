"""Checks that deploy/validate.sh runs in its tools venv: `python -m checks.<name> ...`."""
