"""Submissions: a citizen's answers arriving from the survey page or a kiosk app."""
