"""Interface and game sounds, signals and imagined ambiences: what makes each recognisable."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal
from scipy.stats import spearmanr
from synth_acoustics import band_fraction, centroid, envelope, level_at, onsets, peak_frequency

from tag.engines.synth import SynthEngine
from tag.engines.synth.parser import parse
from tag.engines.synth.sources.interface import MORSE

ENGINE = SynthEngine()
SR = ENGINE.sample_rate


def render(prompt: str, duration: float = 2.0, seed: int = 0) -> np.ndarray:
    return ENGINE.generate(prompt, duration, seed=seed).samples


def pitch_track(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Times and strongest frequencies of the frames that sound."""
    f, t, z = signal.stft(x, SR, nperseg=1024, noverlap=768)
    mag = np.abs(z)
    energy = (mag**2).sum(axis=0)
    active = energy > 0.05 * energy.max()
    return t[active], f[mag[:, active].argmax(axis=0)]


@pytest.mark.parametrize(
    ("prompt", "ratio"), [("one power-up", 2.5), ("one jump", 2.5), ("one level up sound", 1.8), ("один прыжок", 2.5)]
)
def test_rising_game_sounds_rise(prompt: str, ratio: float) -> None:
    t, f = pitch_track(render(prompt))
    assert spearmanr(t, f)[0] > 0.8
    assert f[-3:].mean() > ratio * f[:3].mean()


def test_game_over_falls() -> None:
    t, f = pitch_track(render("a game over sound", 2.5))
    assert spearmanr(t, f)[0] < -0.8
    assert f[-3:].mean() < 0.6 * f[:3].mean()


def test_the_modem_answers_with_2100_hz_and_dials_dtmf() -> None:
    x = render("a dial-up modem", 10.0)
    assert level_at(x, SR, 2100) > 50
    assert level_at(x, SR, 2100) - level_at(x, SR, 2000, width=20) > 20  # a line, not a band
    head = x[: int(3.5 * SR)]  # dialling: each digit is one row (697-941 Hz) and one column tone (1209-1477 Hz)
    assert band_fraction(head, SR, 650, 1000) > 0.12 and band_fraction(head, SR, 1150, 1550) > 0.12
    assert band_fraction(x[int(7.5 * SR) :], SR, 300, 3400) > 0.8  # the training screech fills the phone band


def test_error_buzz_is_low_and_harsh() -> None:
    x = render("an error buzz")
    assert peak_frequency(x, SR, 40, 2000) < 200
    assert centroid(x, SR) < 1500
    # Harsh: a dense ladder of strong harmonics, unlike a beep's single line.
    assert band_fraction(x, SR, 400, 8000) > 0.1
    assert level_at(x, SR, 98 * 9, width=8) > 20


def test_a_click_is_short() -> None:
    x = render("one mouse click", 1.0)
    energy = envelope(x, SR, 0.001) ** 2
    cumulative = np.cumsum(energy) / energy.sum()
    assert np.searchsorted(cumulative, 0.99) - np.searchsorted(cumulative, 0.01) < 50  # ms
    assert centroid(x, SR) > 2000


def test_clicks_and_dings_repeat_when_no_count_is_given() -> None:
    assert 3 <= len(onsets(render("mouse clicks", 6.0), SR)) <= 5
    assert len(onsets(render("three notification sounds", 6.0), SR, min_gap=0.5)) == 3


def test_notification_and_success_are_bright_tones() -> None:
    assert 800 < peak_frequency(render("a notification sound"), SR, 200) < 1400
    t, f = pitch_track(render("one success chime"))
    assert f[-1] > f[0] * 1.8  # the arpeggio climbs an octave


def test_countdown_beeps_then_a_long_high_one() -> None:
    x = render("a countdown", 5.0)
    hits = onsets(x, SR, min_gap=0.3)
    assert len(hits) == 4 and np.allclose(np.diff(hits), 1.0, atol=0.03)
    last = x[int((hits[-1] + 0.05) * SR) : int((hits[-1] + 0.6) * SR)]
    assert peak_frequency(last, SR, 200) == pytest.approx(1320, rel=0.02)


def _marks(x: np.ndarray) -> np.ndarray:
    """Lengths (s) of the keyed-on stretches of a Morse signal."""
    env = envelope(x, SR, 0.005)
    on = np.concatenate([[0], (env > 0.5 * env.max()).astype(int), [0]])
    edges = np.flatnonzero(np.diff(on))
    return (edges[1::2] - edges[::2]) * 0.005


def test_sos_is_three_short_three_long_three_short() -> None:
    marks = _marks(render("SOS in morse code", 4.0))
    unit = 1.2 / 18
    pattern = np.where(marks[:9] > 2 * unit, "-", ".")
    assert "".join(pattern) == "...---..."
    assert np.median(marks[:3]) == pytest.approx(unit, rel=0.25)
    assert peak_frequency(render("азбука морзе сос"), SR, 100) == pytest.approx(700, rel=0.01)


def test_random_morse_uses_dots_and_dashes_in_a_one_to_three_ratio() -> None:
    marks = _marks(render("morse code", 6.0))
    short, long_ = marks[marks < 0.1], marks[marks >= 0.1]
    assert short.size and long_.size
    assert np.median(long_) / np.median(short) == pytest.approx(3.0, rel=0.2)
    assert set(MORSE) == set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def test_the_robot_voice_is_a_monotone_buzz_in_syllables() -> None:
    x = render("a robot voice", 4.0)
    assert peak_frequency(x, SR, 60, 3000) < 3000
    env = envelope(x, SR, 0.02)
    assert env.std() / env.mean() > 0.4  # syllables and pauses, not a drone
    freqs, mag = np.fft.rfftfreq(x.size, 1 / SR), np.abs(np.fft.rfft(x))
    lines = [mag[np.abs(freqs - k * 95) < 3].max() / np.median(mag) for k in (2, 3, 4, 5)]
    assert min(lines) > 10  # the harmonics of the 95 Hz buzz


def test_radio_tuning_is_static_in_the_broadcast_band() -> None:
    x = render("tuning a radio", 6.0)
    assert band_fraction(x, SR, 150, 5000) > 0.85


@pytest.mark.parametrize(
    ("prompt", "high"),
    [("a spaceship engine room", 300), ("the sound of outer space", 500), ("a creepy horror drone", 400)],
)
def test_drones_are_low(prompt: str, high: float) -> None:
    x = render(prompt, 6.0)
    assert peak_frequency(x, SR, 20) < high
    assert band_fraction(x, SR, 0, 1000) > 0.6


def test_the_horror_cluster_is_dissonant() -> None:
    x = render("a creepy horror drone", 10.0)
    # A minor second above the 49 Hz root: beating, unresolved.
    assert level_at(x, SR, 49, width=1.5) > 20 and level_at(x, SR, 49 * 2 ** (1 / 12), width=1.5) > 20


def test_the_riser_rises_and_swells() -> None:
    x = render("a suspense riser", 6.0)
    env = envelope(x, SR, 0.5)
    assert env[-2] > 4 * env[1]
    first, last = x[int(0.5 * SR) : int(2 * SR)], x[int(4.5 * SR) : int(6 * SR)]
    assert centroid(last, SR) > 2 * centroid(first, SR)


def test_each_riser_take_climbs_from_its_own_notes() -> None:
    starts = {round(peak_frequency(render("a suspense riser", 6.0, seed=s)[int(0.5 * SR) : int(1.5 * SR)], SR, 60, 400))
              for s in range(4)}
    assert len(starts) >= 3, starts


def test_a_server_room_is_steady() -> None:
    env = envelope(render("a server room hum", 6.0), SR, 0.5)
    assert env.std() / env.mean() < 0.2


@pytest.mark.parametrize(
    ("prompt", "source"),
    [
        ("a mouse click", "click"), ("клик", "click"), ("щелчок", "click"), ("щелчки мыши", "click"),
        ("уведомление", "notification"), ("a ding", "notification"), ("ding dong", "doorbell"),
        ("power-up", "power_up"), ("a coin pickup", "coin"), ("an error", "error_buzz"), ("ошибка", "error_buzz"),
        ("game over", "game_over"), ("8-bit jump", "jump"), ("8-bit explosion", "retro_explosion"),
        ("8-битный взрыв", "retro_explosion"), ("an explosion", "explosion"), ("модем", "modem"),
        ("dial tone", "dial_tone"), ("radio static", "radio_tuning"), ("static", "white_noise"),
        ("азбука морзе", "morse"), ("робот", "robot_voice"), ("космос", "space_drone"),
        ("космический корабль", "spaceship"), ("в космическом корабле", "spaceship"), ("ужастик", "horror_drone"),
        ("фильм ужасов", "horror_drone"), ("a haunted house", "haunted_house"), ("дом с привидениями", "haunted_house"),
        ("a drone", "engine_hum"), ("space drone", "space_drone"), ("серверная", "server_room"),
        ("data centre", "server_room"), ("инопланетяне", "alien"), ("обратный отсчёт", "countdown"),
    ],
)
def test_interface_and_ambience_words_in_both_languages(prompt: str, source: str) -> None:
    parsed = parse(prompt)
    assert [e.source for e in parsed.events] == [source], parsed.unknown


def test_sos_sets_the_morse_text() -> None:
    assert parse("sos").events[0].params.variant == "sos"
    assert parse("сигнал сос морзе").events[0].source == "morse"
    assert parse("morse code").events[0].params.variant is None
