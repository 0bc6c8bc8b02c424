"""Bulk CSV imports (docs/contracts.md §2): streamed, validated, all-or-nothing per file."""
