"""Typed errors; the CLI maps each class to one documented exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_DRIFT = 1  # --check found a file that would change, or validate found a problem
EXIT_USAGE = 2  # bad settings, bad --set, bad command line
EXIT_HAND_EDIT = 3  # a generated file was edited by hand since it was rendered
EXIT_WRITE = 4  # the output could not be written (disk full, permissions, lock)


class ProxydocsError(Exception):
    """Base class: every message names the file and, where there is one, the key."""

    exit_code = EXIT_USAGE


class SettingsError(ProxydocsError):
    """One or more settings are invalid. Carries every problem found, not just the first."""

    exit_code = EXIT_USAGE

    def __init__(self, problems: list[tuple[str, str, str]]):
        # each problem: (file, key path, reason)
        self.problems = problems
        super().__init__("\n".join(f"{f}: {k}: {r}" if k else f"{f}: {r}" for f, k, r in problems))


class ManifestError(ProxydocsError):
    exit_code = EXIT_USAGE


class TemplateError(ProxydocsError):
    exit_code = EXIT_USAGE


class HandEditError(ProxydocsError):
    exit_code = EXIT_HAND_EDIT

    def __init__(self, paths: list[str]):
        self.paths = paths
        listing = "\n".join(f"  {p}" for p in paths)
        super().__init__(
            "refusing to overwrite generated files that were edited by hand:\n"
            f"{listing}\n"
            "To keep an edit, move it into proxy.toml or the template in snippets/ and render again;\n"
            "to discard it, render again with --force."
        )


class ToolMissing(ProxydocsError):
    """A program a validator needs is not installed."""

    exit_code = EXIT_USAGE


class WriteError(ProxydocsError):
    exit_code = EXIT_WRITE
