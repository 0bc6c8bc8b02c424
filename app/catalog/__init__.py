"""Sectors, procedures and targets: the reference tables admins maintain."""
