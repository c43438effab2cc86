"""``manage.py import_questions FILE --organization ID [--dry-run] [--json]``: questions for an
organisation's bank from a Word file (numbered questions, A. options, 答案：) or the Excel
template, as the web page reads them. ``--json`` prints ``{"questions": [{"type", "stem",
"options", "answer"}], "errors": [...]}``."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from members.models import Organization
from members.work.models import Question
from members.work.questions import QuestionFileError, read_questions
from studygroup.commands import checked_file


class Command(BaseCommand):
    help = "Import questions into an organisation's question bank (Word .docx/.txt or the Excel template)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--organization", type=int, required=True, help="the id of the organisation whose bank takes them")
        parser.add_argument("--dry-run", action="store_true", help="read and check; add nothing")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print what was read as JSON")

    def handle(self, *args, file, organization, dry_run, as_json, **options):
        translation.activate(settings.LANGUAGE_CODE)
        name, data = checked_file(file, "question_import")
        try:
            owner = Organization.objects.get(pk=organization)
        except Organization.DoesNotExist as error:
            raise CommandError(f"No organisation {organization}.") from error
        try:
            parsed = read_questions(data, name)
        except QuestionFileError as error:
            raise CommandError(str(error)) from error
        if not dry_run:
            from members.models import User

            # The command runs as the operator of the server: the bank records the first superuser as adder.
            adder = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
            if adder is None:
                raise CommandError("No active superuser to record as the one who added the questions.")
            from simple_history.utils import bulk_create_with_history

            bulk_create_with_history([
                Question(organization=owner, kind=q.kind, stem=q.stem, options=q.options, answer=q.answer,
                         explanation=q.explanation, difficulty=q.difficulty, source=q.source[:200],
                         topic_name=q.topic[:200], created_by=adder)
                for q in parsed.questions
            ], Question, default_user=adder)
        if as_json:
            self.stdout.write(json.dumps(parsed.as_json(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{len(parsed.questions)} questions read, {len(parsed.problems)} left out.")
        for problem in parsed.problems:
            self.stderr.write(f"{problem.where}: {problem.message}")
        self.stdout.write("Dry run: nothing was added." if dry_run else f"Added to the bank of {owner}.")
