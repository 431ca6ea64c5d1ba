"""Label sets for caption retrieval, and the words a label contributes to a caption.

The default set is the AudioSet ontology's 527 class display names, in the
order of its ``class_labels_indices.csv`` (shipped as ``audioset_labels.txt``).
A user's set is a text file with one label per line (blank lines and lines
starting with ``#`` ignored).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

AUDIOSET_FILE = "audioset_labels.txt"
# The sentence CLAP's zero-shot classification is usually run with: the text
# tower was trained on captions, so a bare class name embeds less reliably.
LABEL_PROMPT = "this is a sound of {label}"


class LabelsError(ValueError):
    """A label file that cannot be used; the message is the one line shown."""


def audioset_labels() -> list[str]:
    text = resources.files("tag.dataset").joinpath(AUDIOSET_FILE).read_text(encoding="utf-8")
    return parse_labels(text)


def parse_labels(text: str) -> list[str]:
    labels = [line.strip() for line in text.splitlines()]
    return list(dict.fromkeys(label for label in labels if label and not label.startswith("#")))


def read_labels(path: Path | None) -> list[str]:
    """The labels in ``path``, or the AudioSet ones when ``path`` is None."""
    if path is None:
        return audioset_labels()
    try:
        labels = parse_labels(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelsError(f"cannot read the label file {path}: {exc}") from None
    if len(labels) < 2:
        raise LabelsError(f"the label file {path} needs at least two labels, one per line")
    return labels


def label_prompt(label: str) -> str:
    return LABEL_PROMPT.format(label=label)


def label_phrase(label: str) -> str:
    """The words a label puts in a caption: its first name, lower case, without the
    ontology's parenthesised notes ("Rattle (instrument)" -> "rattle",
    "Male speech, man speaking" -> "male speech")."""
    first = label.split(",")[0]
    first = re.sub(r"\([^)]*\)", " ", first)
    return " ".join(first.lower().split()) or label.lower().strip()
