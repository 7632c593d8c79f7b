"""Stage 1, the model: value types, the settings schema, and what derives from the settings.

Nothing here knows about templates, files, programs or Sphinx."""
