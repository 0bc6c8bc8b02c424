"""Reference data (`sipas seed`) and synthetic demo data (`sipas seed --demo`)."""
