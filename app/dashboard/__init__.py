"""The analysts' dashboard: sign in with an API key, see the month, reach the reports."""
