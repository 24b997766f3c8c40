"""Finding which strings of a fixed vocabulary (a segment's keywords) occur in a gig's text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np

DIRECT_SCAN_LIMIT: Final = 96  # vocabularies up to this size are checked keyword by keyword


class Substrings:
    """Which strings of a fixed vocabulary occur in a text.

    A small vocabulary is checked string by string (``in``, C speed). A large one is first
    narrowed by the first two characters of each string: the text's character bigrams are
    looked up (vectorised) among the vocabulary's, and only strings whose bigram occurs are
    checked. Strings shorter than two characters are always checked."""

    def __init__(self, vocab: Sequence[str]) -> None:
        self.vocab: tuple[str, ...] = tuple(vocab)
        self._direct = len(self.vocab) <= DIRECT_SCAN_LIMIT
        self._short = [i for i, s in enumerate(self.vocab) if len(s) < 2]
        by_anchor: dict[int, list[int]] = {}
        for i, s in enumerate(self.vocab):
            if len(s) >= 2:
                by_anchor.setdefault((ord(s[0]) << 21) | ord(s[1]), []).append(i)
        anchors = sorted(by_anchor)
        self._anchors = np.asarray(anchors, dtype=np.uint64)
        self._anchor_ids = [by_anchor[a] for a in anchors]

    def __len__(self) -> int:
        return len(self.vocab)

    def find(self, text: str) -> list[int]:
        vocab = self.vocab
        if self._direct:
            return [i for i, s in enumerate(vocab) if s in text]
        found = [i for i in self._short if vocab[i] in text]
        if len(text) < 2 or not self._anchor_ids:
            return found
        points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        wide = points.astype(np.uint64)
        bigrams = (wide[:-1] << np.uint64(21)) | wide[1:]
        at = np.searchsorted(self._anchors, bigrams)
        np.minimum(at, len(self._anchors) - 1, out=at)
        for a in set(at[self._anchors[at] == bigrams].tolist()):
            found.extend(i for i in self._anchor_ids[a] if vocab[i] in text)
        return found
