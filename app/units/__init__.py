"""Administrative units and their one-stop counters."""
