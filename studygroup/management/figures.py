"""Management commands that report figures, for people and for scripts."""

import json
import sys

from django.core.management.base import BaseCommand


class FiguresCommand(BaseCommand):
    """A command that reports figures. Without options it writes text for people; given
    ``--json`` it prints one JSON object on standard output and nothing else (its text goes to
    standard error), so a script or monitoring can read it.

    Subclasses write text with ``self.stdout.write`` as usual and put their figures in
    ``self.report(name=value, ...)``."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument(
            "--json", action="store_true",
            help="print the figures as one JSON object, and nothing else, on standard output",
        )
        return parser

    def report(self, **figures):
        self.figures.update(figures)

    def execute(self, *args, **options):
        self.figures = {}
        if not options.get("json"):
            return super().execute(*args, **options)
        out = options.get("stdout") or sys.stdout
        options["stdout"] = options.get("stderr") or sys.stderr
        super().execute(*args, **options)
        out.write(json.dumps(self.figures, ensure_ascii=False, default=str) + "\n")
        return None
