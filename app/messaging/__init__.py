"""Invitations of the random sample sent to phones (SMS, Zalo ZNS), reminders, opt-outs."""
