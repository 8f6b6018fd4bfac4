"""Parameters: every setting a scan reads, checked on construction in library terms."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dedupe.errors import InvalidParameter
from dedupe.parameters import CONTENT, VERBATIM, Parameters


@pytest.mark.parametrize(
    ("changes", "name"),
    [
        ({"threshold": 0.0}, "threshold"),
        ({"threshold": 1.5}, "threshold"),
        ({"candidate_threshold": 0.0}, "candidate_threshold"),
        ({"candidate_lsh_threshold": 0.4}, "candidate_lsh_threshold"),  # above 0.3
        ({"num_perm": 8}, "num_perm"),
        ({"shingle_size": 0}, "shingle_size"),
        ({"min_words": 2}, "min_words"),  # below the shingle size, 3
        ({"window_words": 5}, "window_words"),  # below twice the shingle size
        ({"boilerplate_documents": 2}, "boilerplate_documents"),
    ],
)
def test_a_setting_out_of_range_is_refused_by_its_name(changes, name):
    with pytest.raises(InvalidParameter) as refused:
        Parameters(**changes)
    assert refused.value.name == name
    assert str(refused.value).startswith(f"{name} ")
    assert "--" not in str(refused.value)  # the CLI names the options, not the library


def test_replace_checks_again_and_the_defaults_pass():
    params = Parameters()
    assert replace(params, threshold=0.9).threshold == 0.9
    with pytest.raises(InvalidParameter):
        replace(params, num_perm=1)


def test_each_family_has_its_own_lsh_threshold_and_bucket_cap():
    params = Parameters()
    assert params.lsh_threshold(VERBATIM) == params.candidate_lsh_threshold
    assert params.lsh_threshold(CONTENT) == params.paraphrase_candidate_threshold
    assert params.max_bucket(VERBATIM) is None
    assert params.max_bucket(CONTENT) == params.paraphrase_max_bucket
    assert params.families() == (VERBATIM, CONTENT)
    assert Parameters(paraphrase=False).families() == (VERBATIM,)
