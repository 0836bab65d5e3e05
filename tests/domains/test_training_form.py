"""Each domain describes its own training-form fields, without torch."""

import subprocess
import sys

from workbench.domains.registry import DOMAINS, training_form


def test_every_domain_describes_its_form_and_names_the_shot_option_alike():
    for domain in DOMAINS:
        form = training_form(domain)
        assert form.fields.get("shot") == "shot" and form.built_in, domain


def test_a_field_may_apply_only_to_some_problem_options():
    sketch = training_form("sketch")
    assert sketch.applies("way", {"mode": "classify"}) and not sketch.applies("way", {"mode": "ink"})
    assert sketch.field_for("data") == "folder" and sketch.field_for("nothing") == ""
    assert not training_form("sinusoid").applies("folder", {})


def test_reading_the_forms_does_not_import_torch():
    code = ("import sys\nfrom workbench.domains.registry import DOMAINS, training_form\n"
            "[training_form(d) for d in DOMAINS]\nprint('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr
