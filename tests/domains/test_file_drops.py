"""Files a user gives at once: folders expand, hidden and other files are skipped, one drop is bounded."""

from workbench.domains.file_drops import MAX_FILES_PER_DROP, expand_paths


def test_folders_expand_to_their_matching_files_sorted_and_files_are_kept(tmp_path):
    folder = tmp_path / "set"
    (folder / "b").mkdir(parents=True)
    for name in ("b/2.png", "1.PNG", ".hidden.png", "notes.txt"):
        (folder / name).write_bytes(b"x")
    given = tmp_path / "given.txt"  # a file given directly is tried whatever its name
    files, notes = expand_paths([folder, given], (".png",))
    assert files == [folder / "1.PNG", folder / "b" / "2.png", given] and notes == []


def test_an_empty_folder_and_an_oversized_drop_are_noted(tmp_path):
    (tmp_path / "empty").mkdir()
    many = [tmp_path / f"{i}.mid" for i in range(MAX_FILES_PER_DROP + 3)]
    files, notes = expand_paths([tmp_path / "empty", *many], (".mid",))
    assert len(files) == MAX_FILES_PER_DROP
    assert "empty" in notes[0] and str(MAX_FILES_PER_DROP + 3) in notes[1]
