"""Typed settings reads: stored strings come back typed; unreadable values give the default."""

import pytest
from PySide6.QtCore import QSettings

from workbench.ui.settings_values import read_value


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)


def test_values_come_back_as_the_type_of_their_default(settings):
    for key, value in {"n": 12, "t": 0.7, "flag": True, "name": "x"}.items():
        settings.setValue(key, value)
    settings.sync()
    reread = QSettings(settings.fileName(), QSettings.Format.IniFormat)  # an INI file stores strings
    assert read_value(reread, "n", 8) == 12 and isinstance(read_value(reread, "n", 8), int)
    assert read_value(reread, "t", 1.0) == pytest.approx(0.7)
    assert read_value(reread, "flag", False) is True
    assert read_value(reread, "name", "") == "x"
    assert read_value(reread, "missing", 5) == 5


@pytest.mark.parametrize("stored, default", [("abc", 8), ("1e999999", 8), ("nan", 1.0), ("maybe", True), ("", 3)])
def test_a_hand_edited_value_gives_the_default(settings, stored, default):
    settings.setValue("key", stored)
    assert read_value(settings, "key", default) == default
