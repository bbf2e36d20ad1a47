import pytest

from dataknobs_common.errors import NotFoundError
from dataknobs_utils.json_utils import flatten, get_path, json_to_tree

DOCUMENT = {"name": "knob", "tags": ["a", "b"], "meta": {"size": 3, "empty": {}}}


def test_flatten() -> None:
    assert flatten(DOCUMENT) == {
        "name": "knob",
        "tags.0": "a",
        "tags.1": "b",
        "meta.size": 3,
        "meta.empty": {},
    }
    assert flatten([1, {"x": 2}], separator="/") == {"0": 1, "1/x": 2}
    assert flatten(7) == {"": 7}


def test_get_path() -> None:
    assert get_path(DOCUMENT, "meta.size") == 3
    assert get_path(DOCUMENT, "tags.1") == "b"
    assert get_path(DOCUMENT, "tags.-1") == "b"
    assert get_path(DOCUMENT, "") is DOCUMENT


@pytest.mark.parametrize("path", ["missing", "tags.5", "name.x", "tags.x"])
def test_get_path_missing(path: str) -> None:
    with pytest.raises(NotFoundError):
        get_path(DOCUMENT, path)


def test_json_to_tree() -> None:
    tree = json_to_tree(DOCUMENT)
    assert tree.data == ("$", None)
    assert tree.num_children == 3
    assert tree.count() == 8
    size = tree.find(lambda item: item[0] == "size")
    assert size is not None
    assert size.data == ("size", 3)
