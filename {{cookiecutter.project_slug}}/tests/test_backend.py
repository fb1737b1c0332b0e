"""Every cache key carries the code version, whichever backend holds the cache."""

import shutil

from config.code_version import code_version


def test_keys_carry_the_code_version(settings, tmp_path):
    """A new release never unpickles what an older one stored."""
    expected = f"{{ cookiecutter.project_slug }}.{code_version(settings.BASE_DIR)}"
    assert settings.CACHES["default"]["KEY_PREFIX"].startswith(expected)
    for folder in ("config", "recipes", "templates"):
        shutil.copytree(settings.BASE_DIR / folder, tmp_path / folder)
    before = code_version(tmp_path)
    base = tmp_path / "templates" / "base.html"
    base.write_text(base.read_text() + "<!-- new release -->")
    assert code_version(tmp_path) != before
