"""Tests of `runreplay.cassette._safe_yaml`: anchors, aliases and tags refused before anything is built."""

from __future__ import annotations

import pytest
from yaml.nodes import MappingNode

from runreplay.cassette._safe_yaml import check_aliases, check_plain, compose_plain
from runreplay.errors import CassetteFormatError

PLAIN_EXPECTED = (
    "plain YAML as runreplay writes it, without anchors (&), aliases (*) or tags (!); record the cassette "
    "again rather than editing it this way"
)


def message(problem: str, line: int, expected: str = PLAIN_EXPECTED) -> str:
    return (
        f"cannot load cassette c.yaml, line {line}: {problem}; expected {expected}. Fix or delete the file and "
        "record it again (--record-mode=rewrite); nothing was loaded from it."
    )


@pytest.mark.parametrize(
    ("text", "problem", "line"),
    [
        (b"a: &x 1\nb: 2\n", "the anchor &x is not allowed", 1),
        (
            b"a: 1\nb: !!python/name:os.system ''\n",
            "the tag tag:yaml.org,2002:python/name:os.system is not allowed",
            2,
        ),
        (b"a: 1\nb:\n  - c\n  - !custom d\n", "the tag !custom is not allowed", 4),
    ],
)
def test_anchors_and_tags_are_refused_with_their_line(text: bytes, problem: str, line: int) -> None:
    with pytest.raises(CassetteFormatError) as caught:
        check_plain("c.yaml", text)
    assert str(caught.value) == message(problem, line)


def test_text_that_only_looks_suspicious_passes() -> None:
    check_plain("c.yaml", b"a: 'x & y * z ! w'\nb: |-\n  &not an anchor\n  *nor an alias\n")


def test_invalid_yaml_is_left_to_the_loader() -> None:
    check_plain("c.yaml", b"a: b: &x 1\n")  # a syntax error before the anchor


def test_aliases_over_the_limit_are_refused() -> None:
    text = b"a: &x 1\nb: *x\nc: *x\nd: *x\n"
    check_aliases("c.yaml", text, limit=3)
    with pytest.raises(CassetteFormatError) as caught:
        check_aliases("c.yaml", text, limit=2)
    assert str(caught.value) == message(
        "the file uses more than 2 YAML aliases (*x is one too many)",
        4,
        "a cassette as vcrpy writes it, with few or no aliases",
    )


def test_compose_plain_gives_the_node_tree_or_says_where_the_yaml_breaks() -> None:
    root = compose_plain("c.yaml", b"a: 1\nb: [2, 3]\n")
    assert isinstance(root, MappingNode)
    assert [key.value for key, _ in root.value] == ["a", "b"]
    with pytest.raises(CassetteFormatError) as caught:
        compose_plain("c.yaml", b"a: [1\nb: 2\n")
    assert str(caught.value).startswith(
        "cannot load cassette c.yaml, line 2: invalid YAML: while parsing a flow sequence"
    )
