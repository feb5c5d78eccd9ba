"""Permission-matrix rows of this part of the documents app (see tests/matrix.py)."""

ROWS = []
