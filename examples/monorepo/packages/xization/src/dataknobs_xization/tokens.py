"""An offset-preserving regular-expression tokenizer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Sequence

from dataknobs_structures.tree import Tree
from dataknobs_utils.stats import summarize

_TOKEN_RE = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")


@dataclass(frozen=True)
class Token:
    """A token and its ``[start, end)`` character offsets in the source text."""

    text: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        """``True`` for word tokens, ``False`` for punctuation."""
        return self.text[0].isalnum() or self.text[0] == "_"


def iter_tokens(text: str) -> Iterator[Token]:
    """Lazily yield the tokens of ``text`` (words and single punctuation marks)."""
    for match in _TOKEN_RE.finditer(text):
        yield Token(match.group(), match.start(), match.end())


def tokenize(text: str, *, words_only: bool = False) -> list[Token]:
    """Split ``text`` into tokens, optionally dropping punctuation."""
    return [token for token in iter_tokens(text) if token.is_word or not words_only]


def ngrams(tokens: Sequence[Token], size: int) -> list[tuple[str, ...]]:
    """Return the contiguous ``size``-grams of the token texts."""
    if size < 1:
        raise ValueError("size must be at least 1")
    texts = [token.text for token in tokens]
    return [tuple(texts[i : i + size]) for i in range(len(texts) - size + 1)]


def token_length_stats(tokens: Sequence[Token]) -> dict[str, float]:
    """Summary statistics (count, mean, stddev, min, max) of the token lengths."""
    return summarize(float(len(token.text)) for token in tokens)


def sentence_tree(text: str) -> Tree[str]:
    """Build a two-level tree: the text at the root, one child per sentence,
    one grandchild per word token of that sentence."""
    root: Tree[str] = Tree(text)
    sentence: Tree[str] | None = None
    for token in iter_tokens(text):
        if token.text in ".!?":
            sentence = None
            continue
        if sentence is None:
            sentence = root.add_child("")
        sentence.add_child(token.text)
    for node in root.children:
        node.data = " ".join(str(child.data) for child in node.children)
    return root
