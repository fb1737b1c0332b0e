"""A Jinja extension for this template: answers are data, never Jinja.

cookiecutter renders the defaults of cookiecutter.json as Jinja, so that one
answer can be made from another (project_slug from project_name). An answer given
on the command line, with --no-input, in a config file's default_context or
through cookiecutter's API replaces a default, so cookiecutter renders it too: a
project name with "{{" stops the bake with a Jinja traceback, and "{{ ... }}" in
an answer runs. (Answers typed at the prompts and replayed answers are never
rendered.)

This extension keeps Jinja for the template's own text (its defaults, file names
and hooks) and turns every other text cookiecutter renders into itself.
"""

import json
from pathlib import Path

from jinja2 import TemplateSyntaxError
from jinja2.ext import Extension

JINJA_MARKS = ("{{", "{%", "{#")


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


CONTEXT_FILE = Path(__file__).with_name("cookiecutter.json")
OWN_DEFAULTS = frozenset(strings_in(json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))))


class AnswersAsData(Extension):
    """Render any text with Jinja marks that is not the template's own as itself."""

    def __init__(self, environment):
        super().__init__(environment)
        self._answers = 0
        self._parsing = False

    def preprocess(self, source, name, filename=None):
        # Files are loaded by name; answers, file names and hooks come as strings.
        if self._parsing or name is not None or source in OWN_DEFAULTS:
            return source
        if not any(mark in source for mark in JINJA_MARKS):
            return source
        self._answers += 1
        variable = f"_answer_as_data_{self._answers}"
        self.environment.globals[variable] = source
        as_data = f"{{{{ {variable} }}}}"
        if not self._parses(source):
            return as_data
        # File names and hooks are rendered after the questions, once cookiecutter
        # (and cruft) have added `_template` to the answers; answers are rendered
        # while the questions are asked, before it is there.
        after_questions = "{% if cookiecutter._template is defined %}"
        return f"{after_questions}{source}{{% else %}}{as_data}{{% endif %}}"

    def _parses(self, source):
        self._parsing = True
        try:
            self.environment.parse(source)
        except TemplateSyntaxError:
            return False
        finally:
            self._parsing = False
        return True
