"""`proxydocs`: a thin command line over generator.api. It parses, calls, prints, and maps
each error class to its exit code; it never imports Sphinx."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import api
from .chars import printable
from .render.stamp import inputs_digest
from .errors import EXIT_DRIFT, EXIT_INTERNAL, EXIT_OK, EXIT_WRITE, ProxydocsError, SettingsError, exit_codes_text

EXIT_CODES_HELP = exit_codes_text()


class Context:
    """Where output goes, so tests can capture it without monkeypatching."""

    def __init__(self, out=None, err=None):
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def echo(self, text: str = "") -> None:
        """Data (a diff, findings, settings): standard output. A control or invisible
        character (a copy's file or record may hold one) is shown as its escape, not sent."""
        click.echo(printable(text), file=self.out)

    def status(self, text: str) -> None:
        """What is going on: standard error, so that standard output stays data."""
        click.echo(printable(text), file=self.err)


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


CONTEXT = {"help_option_names": ["-h", "--help"]}
SETTINGS_HELP = "Settings file [default: ./proxy.toml; its folder is the project]."
SET_HELP = "Override one setting, e.g. proxy.port=8118 (repeatable; lists comma-separated)."


@click.group(epilog=EXIT_CODES_HELP, context_settings=CONTEXT)
@click.version_option(package_name="proxydocs")
def cli() -> None:
    """Render every proxy snippet of the Colima proxy articles from one proxy.toml."""


def _shown(root: Path) -> str:
    """The output folder as the user will recognise it: relative to here when it is below."""
    try:
        return str(root.resolve().relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(root)


@cli.command(epilog=EXIT_CODES_HELP, context_settings=CONTEXT)
@click.option("--settings", "settings_file", metavar="FILE", help=SETTINGS_HELP)
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help=SET_HELP)
@click.option("--out", "out_dir", metavar="DIR", type=click.Path(file_okay=False),
              help="Write a reader's copy into DIR instead of the project's docs/: the snippets to use, "
                   "INDEX.txt (where each file goes) and the settings used (no password).")
@click.option("--page", "pages", multiple=True, metavar="PAGE",
              help="With --out: only the snippets of this page (guide, archive, or a docname; repeatable).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any file would change.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Write nothing; print a unified diff of what would change (status lines go to stderr).")
@click.option("--force", is_flag=True, help="Overwrite generated files that were edited by hand.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors (and the diff).")
@click.pass_obj
def render(ctx: Context, settings_file, sets, out_dir, pages, check, show_diff, force, quiet) -> int:
    """Render every snippet; write only the files whose bytes change.

    With --out (a reader's copy), proxy.user and the password from the variable named by
    proxy.password_env are written into the proxy URLs, percent-encoded; the site never
    gets them."""
    if pages and not out_dir:
        raise click.UsageError("--page limits a reader's copy: give --out DIR too")
    project, settings = _project(settings_file, sets)
    if out_dir:
        settings = settings.for_reader(os.environ)
    else:
        _refuse_credentials_for_the_site(settings)
    preview = check or show_diff
    inputs = None if out_dir else inputs_digest(project.settings_file, list(sets))
    result = api.render(settings, Path(out_dir) if out_dir else project.docs, check=preview, force=force,
                        reader_copy=bool(out_dir), pages=tuple(pages), inputs=inputs,
                        on_wait=lambda message: ctx.status(f"proxydocs: {message}"))
    say = (lambda text: None) if quiet else ctx.status
    would = "would " if preview else ""
    verb = {"created": f"{would}create" if preview else "created",
            "changed": f"{would}change" if preview else "changed",
            "stale": "no longer generated (left in place; delete it if no page includes it)",
            "edited": "edited by hand" if preview or not force else "overwrote hand edit"}
    for change in sorted(result.pending, key=lambda c: c.path):
        say(f"{verb[change.status]}: {change.path}")
    if show_diff:
        diff = settings.redact(result.diff())
        if diff:
            ctx.echo(diff.rstrip("\n"))
    counts = {s: len(result.by_status(s)) for s in ("created", "changed", "stale", "edited", "unchanged")}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    say(f"{'check' if check else 'diff' if show_diff else 'render'}: {len(result.changes)} files in "
        f"{_shown(result.out_dir)} ({summary or 'none'})")
    edited = result.by_status("edited")
    if preview and edited:
        say(f"{len(edited)} file(s) were edited by hand: `proxydocs render` refuses to overwrite them (exit 3). "
            "Keep an edit by moving it into proxy.toml or the template in snippets/; discard it with "
            "`proxydocs render --force`")
    if preview and len(result.pending) > len(edited):
        say("`proxydocs render` (or `make snippets`) writes the other changes")
    return EXIT_DRIFT if check and result.pending else EXIT_OK


@cli.command(epilog=EXIT_CODES_HELP, context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--settings", "settings_file", metavar="FILE",
              help="Settings file [default: DIR/proxydocs-settings.toml with --root, else ./proxy.toml].")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help=SET_HELP)
@click.option("--root", "root", metavar="DIR", type=click.Path(file_okay=False, exists=True),
              help="The rendered tree to check, e.g. a reader's copy [default: the project's docs/].")
@click.pass_obj
def validate(ctx: Context, paths, settings_file, sets, root) -> int:
    """Check every snippet (or only PATHS) with the program that reads it."""
    if root and settings_file is None and (Path(root) / api.READER_SETTINGS).is_file():
        settings_file = str(Path(root) / api.READER_SETTINGS)  # the copy says what it was rendered from
    project, settings = _project(settings_file, sets)
    if root:
        settings = settings.for_reader(os.environ)
    findings = api.validate(settings, Path(root) if root else project.docs, [Path(p) for p in paths] or None,
                            merged=True)
    for finding in findings:  # secrets hidden first, then what a terminal would act on escaped
        ctx.echo(printable(settings.redact(str(finding)), one_line=True))
    errors = [f for f in findings if not f.warning]
    total = sum(f.hidden or 1 for f in errors)  # a count line stands for the findings it hides
    ctx.status(f"validate: {total} finding(s), {len(findings) - len(errors)} warning(s)")
    return EXIT_DRIFT if errors else EXIT_OK


@cli.command(name="settings", epilog=EXIT_CODES_HELP, context_settings=CONTEXT)
@click.option("--settings", "settings_file", metavar="FILE", help=SETTINGS_HELP)
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help=SET_HELP)
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
        click.echo(printable(f"proxydocs: error: {exc}"), file=ctx.err)  # a key or a path may hold anything
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
        click.echo(printable(f"proxydocs: error: {exc.filename or ''}: {os.strerror(exc.errno or 0)}"), file=ctx.err)
        return EXIT_WRITE
    except Exception as exc:  # a bug: one line, a documented code, the traceback on request
        if os.environ.get("PROXYDOCS_DEBUG"):
            raise
        click.echo(printable(f"proxydocs: internal error: {type(exc).__name__}: {exc} (please report it; "
                             "PROXYDOCS_DEBUG=1 shows the traceback)"), file=ctx.err)
        return EXIT_INTERNAL
    return rv if isinstance(rv, int) else EXIT_OK


def entry() -> None:
    """The full CLI; the installed command is generator.fastpath.entry, which comes here
    unless a render has nothing to do."""
    sys.exit(main())
