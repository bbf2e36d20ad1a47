from dataknobs_common import slugify, truncate


def test_slugify_and_truncate_compose() -> None:
    assert truncate(slugify("A Very Long Title, Indeed"), 10) == "a-very-..."
