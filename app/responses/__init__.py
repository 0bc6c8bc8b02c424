"""Responses: how they are written (submissions, imports, demo data) and read back."""
