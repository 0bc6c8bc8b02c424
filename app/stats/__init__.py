"""The analytics API: satisfaction estimates over REST and the CLI."""
