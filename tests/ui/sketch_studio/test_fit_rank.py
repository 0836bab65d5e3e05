"""fit_rank.py: how the Complete tab names the example it starts from."""

from workbench.ui.sketch_studio.fit_rank import fit_rank_text, ordinal


def test_ranks_read_as_ordinals():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st"]
    assert fit_rank_text(1) == "best fit" and fit_rank_text(3) == "3rd best fit"
