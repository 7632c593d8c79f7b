"""Validators, one per snippet kind (see registry)."""
