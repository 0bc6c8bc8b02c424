"""Cases: a response that raised an alert, for its unit to acknowledge and resolve."""
