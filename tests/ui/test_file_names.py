"""One naming rule for the files both studios write."""

from workbench.ui.file_names import safe_stem, unique_path


def test_labels_become_safe_stems():
    assert safe_stem("variation 3", "x") == "variation-3"
    assert safe_stem("Reel: O'Neill's #12", "x") == "Reel-O-Neill-s-12"
    assert safe_stem("Ständchen", "x") == "Ständchen"
    assert safe_stem("../..", "melody-01") == "melody-01"
    assert len(safe_stem("a" * 200, "x")) == 60


def test_existing_files_are_never_overwritten(tmp_path):
    first = unique_path(tmp_path / "tune.mid")
    assert first == tmp_path / "tune.mid"
    first.write_bytes(b"")
    second = unique_path(tmp_path / "tune.mid")
    assert second == tmp_path / "tune-2.mid"
    second.write_bytes(b"")
    assert unique_path(tmp_path / "tune.mid") == tmp_path / "tune-3.mid"
