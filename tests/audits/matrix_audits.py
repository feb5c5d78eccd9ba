"""Permission-matrix rows of this part of the audits app (see tests/matrix.py)."""

ROWS = []
