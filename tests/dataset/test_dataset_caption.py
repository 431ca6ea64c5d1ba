"""Captioning by CLAP retrieval: the planted class comes back; bad files are skipped; runs resume."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tag.dataset import Dataset
from tag.dataset.caption import (
    LabelRetriever, Retrieval, caption_folder, compose_caption, label_cache_name, name_words,
)
from tag.dataset.clips import Clip, clip_id, read_clip
from tag.dataset.labels import LabelsError, audioset_labels, label_phrase, read_labels
from tag.engines.clap import ClapScorer
from tag.engines.make_an_audio.mel import MEL

from support.dataset import LABELS, PLANTED, synth, write_sound


@pytest.fixture(scope="module")
def retriever(two_class_clap: Path) -> LabelRetriever:
    return LabelRetriever(ClapScorer.from_folder(two_class_clap), LABELS, top_k=2)


def planted_folder(folder: Path) -> dict[str, str]:
    """Held-out seeds of both classes in four containers, rates and channel counts;
    returns file name -> planted label.  Names carry no class words, so only the
    sound can tell."""
    write_sound(folder / "clip_01.flac", PLANTED["Dog"], 2.0, seed=20, rate=48000, channels=2, fmt="FLAC")
    write_sound(folder / "clip_02.ogg", PLANTED["Rain"], 2.0, seed=21, rate=22050, fmt="OGG", subtype="VORBIS")
    write_sound(folder / "sub" / "clip_03.wav", PLANTED["Dog"], 1.2, seed=22)
    write_sound(folder / "clip_04.mp3", PLANTED["Rain"], 1.5, seed=23, rate=44100, fmt="MP3", subtype="MPEG_LAYER_III")
    return {"clip_01.flac": "Dog", "clip_02.ogg": "Rain", "clip_03.wav": "Dog", "clip_04.mp3": "Rain"}


def test_retrieval_returns_the_planted_class(tmp_path: Path, retriever: LabelRetriever) -> None:
    planted = planted_folder(tmp_path / "sounds")
    dataset = Dataset(tmp_path / "ds")
    report = caption_folder(tmp_path / "sounds", dataset, retriever)
    assert report.written == 4 and not report.failed
    entries = {Path(entry.audio).name: entry for entry in dataset.entries()}
    assert set(entries) == set(planted)
    for name, label in planted.items():
        entry = entries[name]
        assert entry.labels[0] == label, (name, entry.labels, entry.scores)
        assert entry.scores[0] > entry.scores[1]
        assert entry.caption == label.lower()  # the names say nothing, the label says it all
        assert entry.source == "caption" and entry.parts == []


def test_entries_carry_duration_and_the_autoencoders_mel(tmp_path: Path, retriever: LabelRetriever) -> None:
    path = write_sound(tmp_path / "sounds" / "dog.flac", PLANTED["Dog"], 1.25, seed=5, rate=48000, channels=2, fmt="FLAC")
    dataset = Dataset(tmp_path / "ds")
    caption_folder(tmp_path / "sounds", dataset, retriever)
    (entry,) = dataset.entries()
    assert entry.duration == pytest.approx(sf.info(path).duration)
    assert Path(entry.audio) == path.resolve()
    mel = dataset.load_mel(entry)
    assert mel.dtype == np.float32 and mel.shape == (MEL.n_mels, round(1.25 * MEL.sample_rate) // MEL.hop + 1)
    assert np.isfinite(mel).all() and mel.max() > np.log(MEL.floor) + 1  # a sound, not the silence floor
    assert dataset.mel_path(entry.id).is_file()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("garbage.wav", b"RIFF\x10\x00\x00\x00WAVEnot really a sound"),
        ("empty.flac", b""),
        ("text.mp3", b"this is not an mp3 file at all" * 10),
    ],
)
def test_an_unreadable_file_is_reported_and_skipped(
    tmp_path: Path, retriever: LabelRetriever, name: str, content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    write_sound(tmp_path / "sounds" / "good.wav", PLANTED["Rain"], 1.0, seed=1)
    (tmp_path / "sounds" / name).write_bytes(content)
    dataset = Dataset(tmp_path / "ds")
    report = caption_folder(tmp_path / "sounds", dataset, retriever)
    assert report.written == 1
    assert [path.name for path, _ in report.failed] == [name]
    assert name in caplog.text
    assert [Path(e.audio).name for e in dataset.entries()] == ["good.wav"]


def test_a_file_without_samples_is_reported(tmp_path: Path, retriever: LabelRetriever) -> None:
    sf.write(tmp_path / "silent.wav", np.zeros(0, dtype=np.float32), 16000)
    report = caption_folder(tmp_path, Dataset(tmp_path / "ds"), retriever)
    assert report.written == 0 and report.failed[0][1] == "no samples"


def test_a_rerun_skips_what_is_done(tmp_path: Path, retriever: LabelRetriever) -> None:
    sounds = tmp_path / "sounds"
    write_sound(sounds / "a.wav", PLANTED["Dog"], 1.0, seed=1)
    write_sound(sounds / "b.wav", PLANTED["Rain"], 1.0, seed=2)
    dataset = Dataset(tmp_path / "ds")
    first = caption_folder(sounds, dataset, retriever)
    before = dataset.manifest.read_text(encoding="utf-8")
    write_sound(sounds / "c.wav", PLANTED["Rain"], 1.0, seed=3)
    second = caption_folder(sounds, dataset, retriever)
    assert (first.written, first.skipped) == (2, 0)
    assert (second.written, second.skipped) == (1, 2)
    after = dataset.manifest.read_text(encoding="utf-8")
    assert after.startswith(before)  # done lines untouched, the new one appended
    ids = [json.loads(line)["id"] for line in after.splitlines()]
    assert len(ids) == len(set(ids)) == 3
    third = caption_folder(sounds, dataset, retriever)
    assert (third.written, third.skipped) == (0, 3)


def test_the_output_inside_the_input_folder_is_not_captioned(tmp_path: Path, retriever: LabelRetriever) -> None:
    write_sound(tmp_path / "a.wav", PLANTED["Dog"], 1.0, seed=1)
    write_sound(tmp_path / "ds" / "audio" / "composed.wav", PLANTED["Rain"], 1.0, seed=1)
    report = caption_folder(tmp_path, Dataset(tmp_path / "ds"), retriever)
    assert report.written == 1


def test_side_car_text_and_file_name_words_lead_the_caption(tmp_path: Path, retriever: LabelRetriever) -> None:
    write_sound(tmp_path / "sounds" / "Puppy_far-03.wav", PLANTED["Dog"], 1.0, seed=30)
    write_sound(tmp_path / "sounds" / "storm.wav", PLANTED["Rain"], 1.0, seed=31)
    (tmp_path / "sounds" / "storm.txt").write_text("  Heavy rain\non a tin roof.\n", encoding="utf-8")
    dataset = Dataset(tmp_path / "ds")
    caption_folder(tmp_path / "sounds", dataset, retriever)
    captions = {Path(e.audio).stem: e.caption for e in dataset.entries()}
    assert captions["Puppy_far-03"] == "puppy far, dog"
    assert captions["storm"] == "Heavy rain on a tin roof"  # "rain" is said already


def test_ids_are_stable_and_distinct() -> None:
    paths = [Path("a/b.wav"), Path("a_b.wav"), Path("a/b.flac"), Path("A/B.wav")]
    ids = [clip_id(p) for p in paths]
    assert len(set(ids)) == len(ids)
    assert ids == [clip_id(p) for p in paths]
    assert ids[0].startswith("a_b-")


def test_read_clip_mixes_channels_at_the_files_rate(tmp_path: Path) -> None:
    left = np.full(800, 0.5, dtype=np.float32)
    sf.write(tmp_path / "st.wav", np.stack([left, -left * 0.5], axis=1), 8000, subtype="FLOAT")
    clip = read_clip(tmp_path / "st.wav")
    assert clip.rate == 8000 and clip.samples.shape == (800,)
    assert np.allclose(clip.samples, 0.125) and clip.duration == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("retrieval", "names", "sidecar", "caption"),
    [
        (Retrieval(["Dog", "Bark"], [0.5, 0.2]), [], None, "dog"),
        (Retrieval(["Dog", "Bark"], [0.5, 0.49]), [], None, "dog and bark"),
        (Retrieval(["Dog", "Bark"], [0.5, 0.49]), ["dog", "kennel"], None, "dog kennel, bark"),
        (Retrieval(["Rain", "Thunder"], [0.5, 0.1]), ["rain", "roof"], None, "rain roof"),
        (Retrieval(["Male speech, man speaking"], [0.3]), [], None, "male speech"),
        (Retrieval(["Rattle (instrument)", "Rain"], [0.3, 0.0]), ["take"], "A shaker.", "A shaker, rattle"),
    ],
)
def test_caption_rule(retrieval: Retrieval, names: list[str], sidecar: str | None, caption: str) -> None:
    assert compose_caption(retrieval, names, sidecar) == caption


def test_name_words_drop_numbers_and_storage_words() -> None:
    assert name_words(Path("DogBark_far-03_final_take2.wav")) == ["dog", "bark", "far"]
    assert name_words(Path("rec_0001.wav")) == []


def test_audioset_labels_are_the_ontologys_527_classes() -> None:
    labels = audioset_labels()
    assert len(labels) == len(set(labels)) == 527
    assert labels[0] == "Speech" and labels[74] == "Dog" and labels[-1] == "Field recording"
    assert label_phrase(labels[1]) == "male speech"


def test_a_users_label_file(tmp_path: Path, labels_file: Path) -> None:
    assert read_labels(labels_file) == LABELS
    (tmp_path / "one.txt").write_text("Dog\n", encoding="utf-8")
    with pytest.raises(LabelsError, match="at least two"):
        read_labels(tmp_path / "one.txt")
    with pytest.raises(LabelsError, match="cannot read"):
        read_labels(tmp_path / "absent.txt")


def test_label_embeddings_are_kept_across_runs(tmp_path: Path, two_class_clap: Path) -> None:
    files = [two_class_clap / "CLAP_weights_2022.pth", two_class_clap / "tokenizer" / "vocab.txt"]
    stored = tmp_path / ".cache" / label_cache_name(files, LABELS)
    first = LabelRetriever(ClapScorer.from_folder(two_class_clap), LABELS, stored=stored)
    saved = np.load(stored)
    assert saved.shape == (len(LABELS), first.scorer.config.d_proj)
    # A later run (a new scorer, so no in-memory copy) reads the file: planted with
    # Dog's and Rain's rows swapped, a dog is heard as rain.
    np.save(stored, saved[[1, 0, 2, 3]])
    later = LabelRetriever(ClapScorer.from_folder(two_class_clap), LABELS, stored=stored)
    samples, rate = synth(PLANTED["Dog"], 1.0, seed=70)
    assert later.retrieve([Clip(Path("dog.wav"), samples, rate)])[0].labels[0] == "Rain"
    assert first.retrieve([Clip(Path("dog.wav"), samples, rate)])[0].labels[0] == "Dog"
    # A file of the wrong shape is not trusted: recomputed and rewritten.
    np.save(stored, saved[:2])
    LabelRetriever(ClapScorer.from_folder(two_class_clap), LABELS, stored=stored)
    assert np.allclose(np.load(stored), saved, atol=1e-6)
    # Another label set, or changed weights, is another file.
    assert label_cache_name(files, LABELS[:3]) != stored.name
    os.utime(files[0], ns=(1, 1))
    assert label_cache_name(files, LABELS) != stored.name
