"""Dossier volumes: the population each weighting cell stands for."""
