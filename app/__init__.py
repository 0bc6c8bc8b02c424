"""SIPAS survey platform: web service, services over the database, and the CLI."""
