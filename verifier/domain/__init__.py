"""The business rules: plain Python, no Qt, no SQL."""
