"""Alerts: a dissatisfied citizen's response reaches the unit that can act.

Rules (``rules``) say which responses matter and who hears of them; a matching response
writes its alerts and opens its case in its own transaction (``outbox``); a worker
(``delivery``, run by ``sipas serve`` and ``sipas alerts run``) sends them by webhook or
e-mail (``senders``), retried with backoff until delivered or dead-lettered.
"""
