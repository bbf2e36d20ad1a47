import pytest

from dataknobs_xization.tokens import (
    Token,
    ngrams,
    sentence_tree,
    token_length_stats,
    tokenize,
)


def test_tokenize_keeps_offsets() -> None:
    text = "Don't panic, Arthur!"
    tokens = tokenize(text)
    assert [token.text for token in tokens] == ["Don't", "panic", ",", "Arthur", "!"]
    for token in tokens:
        assert text[token.start : token.end] == token.text


def test_tokenize_words_only() -> None:
    assert [t.text for t in tokenize("a, b.", words_only=True)] == ["a", "b"]
    assert Token("_x", 0, 2).is_word


def test_ngrams() -> None:
    tokens = tokenize("one two three")
    assert ngrams(tokens, 2) == [("one", "two"), ("two", "three")]
    assert not ngrams(tokens, 4)
    with pytest.raises(ValueError):
        ngrams(tokens, 0)


def test_token_length_stats() -> None:
    stats = token_length_stats(tokenize("ab abcd"))
    assert stats["count"] == 2.0
    assert stats["mean"] == 3.0


def test_sentence_tree() -> None:
    tree = sentence_tree("Hello world. Bye!")
    assert tree.num_children == 2
    assert [node.data for node in tree.children] == ["Hello world", "Bye"]
    assert tree.count() == 6
