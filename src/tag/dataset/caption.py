"""Distil: caption sounds that have no text, with CLAP retrieval against a label set.

For each file the CLAP scorer's audio embedding (the mean over its scoring
windows) is compared by cosine with every label's text embedding; the top-k
labels and their cosines are kept, and a short caption is composed from them,
the file name and any side-car text (rule in :func:`compose_caption`).
"""

from __future__ import annotations

import hashlib
import logging
import re
import sys
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from tag.dataset.clips import Clip, UnreadableAudio, at_mel_rate, clip_id, find_audio, mel_of, read_clip, sidecar_text
from tag.dataset.labels import label_phrase, label_prompt
from tag.dataset.manifest import Dataset, Entry
from tag.dataset.options import DEFAULT_BATCH, DEFAULT_TOP_K
from tag.engines.clap import ClapScorer

log = logging.getLogger(__name__)

# A second label joins the first in the caption when it is this close in cosine:
# the clip is then as much the one as the other (or both at once).
SECOND_LABEL_WITHIN = 0.02
_SIDECAR_CHARS = 200
_NAME_WORDS = 8
# File-name words that say how a file was made or stored, not what it sounds like.
_GENERIC_WORDS = frozenset(
    "audio sound sounds clip clips sample samples recording recordings rec take track file final mono stereo "
    "mix master edit untitled new copy wav wave flac ogg mp3 test tmp version".split()
)


@dataclass(frozen=True)
class Retrieval:
    labels: list[str]  # best first
    scores: list[float]  # cosine similarity, one per label


_LABEL_CACHE: "weakref.WeakKeyDictionary[ClapScorer, dict[tuple[str, ...], torch.Tensor]]" = weakref.WeakKeyDictionary()


def label_embeddings(scorer: ClapScorer, labels: Sequence[str], stored: Path | None = None) -> torch.Tensor:
    """(L, d) unit embeddings of the labels' prompts, computed once per scorer and label set.

    ``stored``: a .npy file that keeps them across runs (BERT-base takes tens of
    seconds on a CPU for the 527 AudioSet prompts, which a resumed run would
    otherwise pay again); its name must identify the CLAP and the labels.
    """
    key = tuple(labels)
    per_scorer = _LABEL_CACHE.setdefault(scorer, {})
    if key in per_scorer:
        return per_scorer[key]
    embeddings = None
    if stored is not None and stored.is_file():
        try:
            loaded = np.load(stored)
        except (OSError, ValueError):
            loaded = None
        if loaded is not None and loaded.shape == (len(labels), scorer.config.d_proj):
            embeddings = torch.from_numpy(loaded).to(scorer.device)
    if embeddings is None:
        embeddings = scorer.text_embeddings([label_prompt(label) for label in labels])
        if stored is not None:
            stored.parent.mkdir(parents=True, exist_ok=True)
            partial = stored.with_name(stored.name + ".partial.npy")
            np.save(partial, embeddings.cpu().numpy().astype(np.float32))
            partial.replace(stored)
    per_scorer[key] = embeddings
    return embeddings


def label_cache_name(clap_files: Sequence[Path], labels: Sequence[str]) -> str:
    """A file name for :func:`label_embeddings`' ``stored``: a digest of the CLAP's
    files (path, size, modification time) and of the label prompts."""
    digest = hashlib.sha1()
    for path in clap_files:
        info = Path(path).stat()
        digest.update(f"{Path(path).resolve()}|{info.st_size}|{info.st_mtime_ns}\n".encode())
    for label in labels:
        digest.update(label_prompt(label).encode("utf-8") + b"\n")
    return f"labels-{digest.hexdigest()[:16]}.npy"


class LabelRetriever:
    """Top-k labels of clips by CLAP cosine similarity."""

    def __init__(
        self, scorer: ClapScorer, labels: Sequence[str], top_k: int = DEFAULT_TOP_K, stored: Path | None = None
    ) -> None:
        if len(labels) < 2:
            raise ValueError("caption retrieval needs at least two labels")
        self.scorer = scorer
        self.labels = list(labels)
        self.top_k = max(1, min(top_k, len(self.labels)))
        self._embeddings = label_embeddings(scorer, self.labels, stored)

    def similarities(self, clips: Sequence[Clip]) -> np.ndarray:
        """(n_clips, n_labels) cosines: each clip's windows embedded in one batched pass,
        a clip's row the mean over its windows (as the scorer scores a long clip)."""
        per_clip = [self.scorer.windows(self.scorer.clips(clip.samples, clip.rate)[0]) for clip in clips]
        flat = [window for windows in per_clip for window in windows]
        cosines = (self.scorer.audio_embeddings(flat) @ self._embeddings.T).cpu().numpy().astype(np.float64)
        rows, offset = [], 0
        for windows in per_clip:
            rows.append(cosines[offset : offset + len(windows)].mean(axis=0))
            offset += len(windows)
        return np.stack(rows)

    def retrieve(self, clips: Sequence[Clip]) -> list[Retrieval]:
        results = []
        for row in self.similarities(clips):
            best = np.argsort(-row, kind="stable")[: self.top_k]  # ties: the label listed first
            results.append(Retrieval([self.labels[i] for i in best], [round(float(row[i]), 4) for i in best]))
        return results


def name_words(path: Path) -> list[str]:
    """The describing words of a file name: "DogBark_far-03.wav" -> ["dog", "bark", "far"]."""
    stem = re.sub(r"([a-z])([A-Z])", r"\1 \2", Path(path).stem)
    words = [w.lower() for w in re.split(r"[^A-Za-z0-9]+", stem)]
    kept = [w for w in words if len(w) > 1 and w.isalpha() and w not in _GENERIC_WORDS]
    return kept[:_NAME_WORDS]


def _short(text: str, limit: int = _SIDECAR_CHARS) -> str:
    text = text.strip().rstrip(".")
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:")


def compose_caption(retrieval: Retrieval, names: Sequence[str], sidecar: str | None) -> str:
    """The caption rule:

    1. the label part: the top label's phrase, and the second's when its cosine is
       within SECOND_LABEL_WITHIN of the top one, joined by "and";
    2. the lead: the side-car text if there is one (a person wrote it; its first
       200 characters), else the file name's describing words (a person chose them);
    3. label phrases whose every word the lead already says are dropped;
    4. caption = "<lead>, <label part>", or just the lead or the label part when the
       other is empty.  Lower-case label words, no final full stop.
    """
    phrases = [label_phrase(retrieval.labels[0])]
    if len(retrieval.labels) > 1 and retrieval.scores[0] - retrieval.scores[1] <= SECOND_LABEL_WITHIN:
        second = label_phrase(retrieval.labels[1])
        if second != phrases[0]:
            phrases.append(second)
    lead = _short(sidecar) if sidecar else " ".join(names)
    said = set(re.findall(r"[a-z0-9]+", lead.lower()))
    new = [p for p in phrases if not set(re.findall(r"[a-z0-9]+", p)) <= said]
    labels = " and ".join(new)
    if lead and labels:
        return f"{lead}, {labels}"
    return lead or labels or phrases[0]


@dataclass
class CaptionReport:
    written: int = 0
    skipped: int = 0  # already in the manifest
    failed: list[tuple[Path, str]] = field(default_factory=list)


def caption_folder(
    folder: Path,
    dataset: Dataset,
    retriever: LabelRetriever,
    *,
    batch: int = DEFAULT_BATCH,
    progress: bool | None = None,
) -> CaptionReport:
    """Caption every sound file under ``folder`` into ``dataset``; resumable.

    Files whose id is already in the manifest are skipped; an unreadable file is
    logged, counted and skipped (it is retried on the next run).  ``progress``:
    a tqdm bar on stderr (None: only when stderr is a terminal).
    """
    folder = Path(folder)
    out = dataset.folder.resolve()
    files = [p for p in find_audio(folder) if not p.resolve().is_relative_to(out)]
    done = dataset.ids()
    todo = [(path, clip_id(path.relative_to(folder))) for path in files]
    report = CaptionReport(skipped=sum(1 for _, i in todo if i in done))
    todo = [(path, i) for path, i in todo if i not in done]
    show = sys.stderr.isatty() if progress is None else progress
    with tqdm(total=len(todo), unit="clip", desc="caption", disable=not show, file=sys.stderr) as bar:
        for start in range(0, len(todo), max(1, batch)):
            chunk = todo[start : start + max(1, batch)]
            clips: list[tuple[Clip, str]] = []
            for path, entry_id in chunk:
                try:
                    clips.append((read_clip(path), entry_id))
                except UnreadableAudio as reason:
                    _failed(report, path, str(reason))
            for (clip, entry_id), retrieval in _retrieve(retriever, clips, report):
                _store(dataset, clip, entry_id, retrieval)
                report.written += 1
            bar.update(len(chunk))
    return report


def _retrieve(
    retriever: LabelRetriever, clips: list[tuple[Clip, str]], report: CaptionReport
) -> Iterable[tuple[tuple[Clip, str], Retrieval]]:
    if not clips:
        return []
    try:
        return list(zip(clips, retriever.retrieve([clip for clip, _ in clips])))
    except Exception:  # one clip the model cannot take must not cost the batch: retry one by one
        log.debug("batch retrieval failed; retrying its clips one by one", exc_info=True)
    results = []
    for item in clips:
        try:
            results.append((item, retriever.retrieve([item[0]])[0]))
        except Exception as exc:
            _failed(report, item[0].path, f"CLAP could not embed it: {type(exc).__name__}: {exc}")
    return results


def _failed(report: CaptionReport, path: Path, reason: str) -> None:
    log.warning("skipped %s: %s", path, reason)
    report.failed.append((path, reason))


def _store(dataset: Dataset, clip: Clip, entry_id: str, retrieval: Retrieval) -> None:
    mel = mel_of(at_mel_rate(clip.samples, clip.rate))
    caption = compose_caption(retrieval, name_words(clip.path), sidecar_text(clip.path))
    entry = Entry(
        id=entry_id,
        audio=str(clip.path.resolve()),
        mel=Dataset.mel_name(entry_id),
        duration=clip.duration,
        caption=caption,
        labels=retrieval.labels,
        scores=retrieval.scores,
        source="caption",
    )
    dataset.add(entry, mel)
