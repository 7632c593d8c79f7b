"""Typed errors and the one table of exit codes: the CLI maps each error class to its code,
and its --help epilog and the README's table are made from (or checked against) EXIT_CODES."""

from __future__ import annotations

EXIT_OK = 0
EXIT_DRIFT = 1
EXIT_USAGE = 2
EXIT_HAND_EDIT = 3
EXIT_WRITE = 4
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in proxydocs, never something a user did

# code -> meaning; a "\n" is where --help breaks the line
EXIT_CODES: dict[int, str] = {
    EXIT_OK: "done, or nothing to do",
    EXIT_DRIFT: "--check: a file would change; validate: a finding",
    EXIT_USAGE: "bad settings or usage (the message names the file, the key and the reason),\n"
                "a record proxydocs did not write, or a program or extra validate needs is missing",
    EXIT_HAND_EDIT: "a generated file was edited by hand (keep it or discard it with --force)",
    EXIT_WRITE: "the output could not be written (nothing was changed)",
    EXIT_INTERNAL: "an internal error (a bug: please report it; PROXYDOCS_DEBUG=1 shows the traceback)",
}


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


class UnsafeOutputError(ProxydocsError):
    """A rendered file would carry a character its readers could take for syntax or that a
    reader cannot see. The settings types refuse such values first; this is the second,
    independent guard at the render boundary."""

    exit_code = EXIT_USAGE


class RecordError(ProxydocsError):
    """The record of rendered files is not one proxydocs wrote (tampered with or corrupt)."""

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
    """A program (or Python extra) a validator needs is not installed."""

    exit_code = EXIT_USAGE


class WriteError(ProxydocsError):
    exit_code = EXIT_WRITE


def exit_codes_text() -> str:
    """The exit-code table as the CLI's --help epilog shows it."""
    rows = (f"  {code}  " + text.replace("\n", "\n     ") for code, text in EXIT_CODES.items())
    return "\b\nExit codes:\n" + "\n".join(rows) + "\n"
