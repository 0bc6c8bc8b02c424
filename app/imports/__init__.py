"""Bulk CSV imports (DESIGN.md §5.2): streamed, validated, all-or-nothing per file."""
