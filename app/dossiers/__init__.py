"""Dossiers of the province's one-stop information system: the survey's sampling frame,
its monthly volumes, and the Decision 766 figure beside the survey's rate."""
