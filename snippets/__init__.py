"""The snippet templates (*.j2) and their manifest: package data, installed as
``generator.snippets`` (pyproject.toml maps this folder there)."""
