"""Accounts for people: dashboard sign-in with a password; API keys stay for machines."""
