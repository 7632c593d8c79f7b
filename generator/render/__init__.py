"""Stage 2, rendering: the snippet manifest, the output formats (Jinja2 filters), the engine
that renders every snippet to memory, the guard every rendered byte passes, and the
experiment that finds which settings feed which snippet. Nothing here writes a file."""
