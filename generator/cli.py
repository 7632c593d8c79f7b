"""`proxydocs`: a thin command line over generator.api. It parses, calls, prints, and maps
each error class to its exit code; it never imports Sphinx."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import api
from .errors import EXIT_DRIFT, EXIT_INTERNAL, EXIT_OK, EXIT_WRITE, ProxydocsError, SettingsError, exit_codes_text

EXIT_CODES_HELP = exit_codes_text()


class Context:
    """Where output goes, so tests can capture it without monkeypatching."""

    def __init__(self, out=None, err=None):
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def echo(self, text: str = "") -> None:
        click.echo(text, file=self.out)


def _refuse_credentials_for_the_site(settings) -> None:
    """Credentials only go into a reader's copy: say so rather than drop them silently."""
    for key in ("proxy.user", "proxy.password_env"):
        if settings[key]:
            raise SettingsError([(settings.origin(key), key,
                                  "is set, but credentials are only rendered into a reader's copy "
                                  "(render --out DIR); the site never carries them")])


def _project(settings_file: str | None, sets: tuple[str, ...]):
    project = api.Project.find(settings_file)
    return project, api.load_settings(project.settings_file, list(sets))


@click.group(epilog=EXIT_CODES_HELP)
@click.version_option(package_name="proxydocs")
def cli() -> None:
    """Render every proxy snippet of the Colima proxy articles from one proxy.toml."""


@cli.command(epilog=EXIT_CODES_HELP)
@click.option("--settings", "settings_file", metavar="FILE",
              help="Settings file [default: ./proxy.toml, else the project's].")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
              help="Override one setting, e.g. proxy.port=8118 (repeatable; lists comma-separated).")
@click.option("--out", "out_dir", metavar="DIR", type=click.Path(file_okay=False),
              help="Write the same layout under DIR instead of the project's docs/.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any file would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff of every change.")
@click.option("--force", is_flag=True, help="Overwrite generated files that were edited by hand.")
@click.pass_obj
def render(ctx: Context, settings_file, sets, out_dir, check, show_diff, force) -> int:
    """Render every snippet; write only the files whose bytes change.

    With --out (a reader's copy), proxy.user and the password from the variable named by
    proxy.password_env are written into the proxy URLs, percent-encoded; the site never
    gets them."""
    project, settings = _project(settings_file, sets)
    if out_dir:
        settings = settings.for_reader(os.environ)
    else:
        _refuse_credentials_for_the_site(settings)
    result = api.render(settings, Path(out_dir) if out_dir else project.docs, check=check, force=force,
                        on_wait=lambda message: click.echo(f"proxydocs: {message}", file=ctx.err))
    verb = {"created": "would create" if check else "created",
            "changed": "would change" if check else "changed",
            "stale": "no longer generated (left in place; delete it if no page includes it)",
            "edited": "edited by hand" if check else ("overwrote hand edit" if force else "edited by hand")}
    for change in result.pending:
        ctx.echo(f"{verb[change.status]}: {result.out_dir / change.path}")
    if show_diff:
        ctx.echo(settings.redact(result.diff()).rstrip("\n"))
    counts = {s: len(result.by_status(s)) for s in ("created", "changed", "stale", "edited", "unchanged")}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    ctx.echo(f"{'check' if check else 'render'}: {len(result.changes)} files ({summary or 'none'})")
    if check and result.pending:
        ctx.echo("run `proxydocs render` (or `make snippets`) to update them")
        return EXIT_DRIFT
    return EXIT_OK


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--settings", "settings_file", metavar="FILE", help="Settings file [default: ./proxy.toml].")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Override one setting (repeatable).")
@click.option("--root", "root", metavar="DIR", type=click.Path(file_okay=False, exists=True),
              help="The rendered tree to check [default: the project's docs/].")
@click.pass_obj
def validate(ctx: Context, paths, settings_file, sets, root) -> int:
    """Check every snippet (or only PATHS) with the program that reads it."""
    project, settings = _project(settings_file, sets)
    if root:
        settings = settings.for_reader(os.environ)
    findings = api.validate(settings, Path(root) if root else project.docs, [Path(p) for p in paths] or None)
    for finding in findings:
        ctx.echo(settings.redact(str(finding)))
    ctx.echo(f"validate: {len(findings)} finding(s)")
    return EXIT_DRIFT if findings else EXIT_OK


@cli.command(name="settings", epilog=EXIT_CODES_HELP)
@click.option("--settings", "settings_file", metavar="FILE", help="Settings file [default: ./proxy.toml].")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Override one setting (repeatable).")
@click.pass_obj
def show_settings(ctx: Context, settings_file, sets) -> int:
    """Print the effective settings as TOML (defaults, file, then --set)."""
    from .model.settings import to_toml

    ctx.echo(to_toml(_project(settings_file, sets)[1]).rstrip("\n"))
    return EXIT_OK


def main(argv: list[str] | None = None, ctx: Context | None = None) -> int:
    ctx = ctx or Context()
    try:
        rv = cli.main(args=argv, prog_name="proxydocs", standalone_mode=False, obj=ctx)
    except ProxydocsError as exc:
        click.echo(f"proxydocs: error: {exc}", file=ctx.err)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show(file=ctx.err)
        return exc.exit_code
    except (click.Abort, KeyboardInterrupt):
        click.echo("proxydocs: aborted (an interrupted render is completed by the next one)", file=ctx.err)
        return 130
    except OSError as exc:  # a file system problem no stage turned into a message of its own
        click.echo(f"proxydocs: error: {exc.filename or ''}: {os.strerror(exc.errno or 0)}", file=ctx.err)
        return EXIT_WRITE
    except Exception as exc:  # a bug: one line, a documented code, the traceback on request
        if os.environ.get("PROXYDOCS_DEBUG"):
            raise
        click.echo(f"proxydocs: internal error: {type(exc).__name__}: {exc} (please report it; "
                   "PROXYDOCS_DEBUG=1 shows the traceback)", file=ctx.err)
        return EXIT_INTERNAL
    return rv if isinstance(rv, int) else EXIT_OK


def entry() -> None:
    sys.exit(main())
