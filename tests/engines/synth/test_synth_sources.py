"""Acoustic checks for each source, through the whole engine (parser, mixer, room)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal
from scipy.stats import kurtosis
from synth_acoustics import (
    attack_and_decay,
    band_fraction,
    band_onset,
    centroid,
    dominant_period,
    envelope,
    level_at,
    onsets,
    peak_frequency,
    relative_db,
)

from tag.engines.synth import SynthEngine
from tag.engines.synth.sources import SOURCES, Params
from tag.engines.synth.catalogue import examples

EXAMPLES = examples("en")

ENGINE = SynthEngine()
SR = ENGINE.sample_rate


def render(prompt: str, duration: float = 4.0, seed: int = 0) -> np.ndarray:
    return ENGINE.generate(prompt, duration, seed=seed).samples


@pytest.mark.parametrize("name", sorted(SOURCES))
@pytest.mark.parametrize("duration", [0.5, 3.0])
def test_every_source_renders_audible_finite_exact_audio(name: str, duration: float) -> None:
    x = render(EXAMPLES[name], duration)
    assert x.shape == (round(duration * SR),)
    assert np.isfinite(x).all() and np.abs(x).max() <= 1.0
    assert np.sqrt(np.mean(x**2)) > 1e-3, "silent"


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_source_copes_with_extreme_parameters(name: str) -> None:
    rng = np.random.default_rng(1)
    for params in (
        Params(density=4.0, tempo=4.0, pitch=4.0, count=100, distance=3.0),
        Params(density=0.1, tempo=0.1, pitch=0.1, count=1, bpm=1.0, distance=0.5),
    ):
        x = SOURCES[name].render(rng, int(0.7 * SR), SR, params)
        assert x.shape == (int(0.7 * SR),) and np.isfinite(x).all()


# --- weather and water ---------------------------------------------------------


def test_rain_is_broadband_hiss_and_heavy_rain_is_denser() -> None:
    x = render("rain")
    assert 2000 < centroid(x, SR) < 7000
    assert band_fraction(x, SR, 1000, 12000) > 0.7
    # Light rain is separate drops (impulsive, high kurtosis); heavy rain a near-Gaussian roar.
    assert kurtosis(render("light rain")) > 15
    assert kurtosis(render("heavy rain")) < 3


def test_wind_is_low_and_gusty() -> None:
    x = render("wind", 8.0)
    assert centroid(x, SR) < 1200
    env = envelope(x, SR, 0.25)
    assert env.std() / env.mean() > 0.1  # gusts, not a steady hiss


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_thunder_has_fast_attack_and_long_decay(seed: int) -> None:
    attack, decay = attack_and_decay(render("thunder", 8.0, seed), SR)
    assert attack < 0.2 and decay > 2.0
    attack, decay = attack_and_decay(render("distant thunder", 8.0, seed), SR)
    assert attack < 0.6 and decay > 3.0


def test_distant_thunder_is_a_low_rumble() -> None:
    assert band_fraction(render("distant thunder", 6.0), SR, 0, 500) > 0.8
    assert centroid(render("thunder", 6.0), SR) > centroid(render("distant thunder", 6.0), SR)


def test_sea_waves_swell_slowly() -> None:
    x = render("sea waves", 28.0)
    env = envelope(x, SR, 0.5)
    assert env.max() / env.min() > 2.0
    swells, _ = signal.find_peaks(env, prominence=0.3 * env.max())
    assert 3 <= swells.size <= 6  # one about every 7 s
    assert centroid(x, SR) < 2500


def test_brook_bubbles_sit_in_the_mid_band() -> None:
    x = render("a babbling brook")
    assert 500 < centroid(x, SR) < 3000
    assert band_fraction(x, SR, 250, 4000) > 0.7


def test_drips_come_about_once_a_second() -> None:
    assert abs(len(onsets(render("water dripping", 6.0), SR)) - 6) <= 1
    assert abs(len(onsets(render("fast dripping", 6.0), SR)) - 10) <= 1
    assert 700 < peak_frequency(render("water dripping"), SR, 200) < 3000


# --- nature --------------------------------------------------------------------


def test_fire_crackles() -> None:
    x = render("a crackling campfire")
    assert kurtosis(x) > 5  # impulsive: sparse loud crackles (a steady noise has 0)
    assert band_fraction(x, SR, 1000, 16000) > 0.3


def test_birdsong_is_high_fm_chirps() -> None:
    x = render("birdsong")
    assert 2000 < centroid(x, SR) < 7000
    f, t, z = signal.stft(x, SR, nperseg=512)
    mag = np.abs(z)
    active = mag.max(axis=0) > 0.1 * mag.max()
    peaks = f[mag.argmax(axis=0)][active]
    assert np.ptp(peaks) > 1000  # the pitch sweeps, it is not a steady whistle


def test_a_cricket_chirps_twice_a_second_at_4_5_khz() -> None:
    x = render("one cricket", 6.0)
    assert 4000 < peak_frequency(x, SR, 1000) < 5000
    assert dominant_period(envelope(x, SR, 0.01), 0.01, 0.3, 0.75) == pytest.approx(0.5, abs=0.05)
    assert band_fraction(x, SR, 3500, 6000) > 0.8


def test_frogs_croak_in_the_formant_band() -> None:
    x = render("frogs croaking")
    assert band_fraction(x, SR, 200, 2000) > 0.6
    assert 2 <= len(onsets(x, SR, min_gap=0.3)) <= 12


def test_dog_barks_as_often_as_asked() -> None:
    x = render("a dog barking 4 times", 5.0)
    assert len(onsets(x, SR, min_gap=0.15)) == 4
    assert 400 < centroid(x, SR) < 3000


# --- household -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "duration", "expected"),
    [
        ("a clock ticking", 6.0, 6),
        ("clock ticking at 120 bpm", 5.0, 10),
        ("часы тикают", 6.0, 6),
        ("fast clock ticking", 6.0, 10),
    ],
)
def test_clock_ticks_at_the_asked_rate(prompt: str, duration: float, expected: int) -> None:
    assert abs(len(onsets(render(prompt, duration), SR)) - expected) <= 1


def test_clock_ticks_are_bright_clicks() -> None:
    x = render("a clock ticking")
    assert centroid(x, SR) > 2000 and kurtosis(x) > 20


@pytest.mark.parametrize(
    ("prompt", "expected"), [("three knocks on the door", 3), ("стук в дверь пять раз", 5), ("a knock", 1)]
)
def test_knocks_are_counted(prompt: str, expected: int) -> None:
    assert len(onsets(render(prompt, 4.0), SR)) == expected


def test_knocking_at_a_tempo_and_sounding_wooden() -> None:
    x = render("knocking at 100 bpm", 6.0)
    assert abs(len(onsets(x, SR)) - 10) <= 1
    assert centroid(x, SR) < 1200


def test_typing_is_bursts_of_bright_clicks() -> None:
    x = render("keyboard typing", 5.0)
    count = len(onsets(x, SR, min_gap=0.06))
    assert 12 <= count <= 60
    assert centroid(x, SR) > 1500


def test_door_creak_is_a_single_resonant_event() -> None:
    x = render("a creaking door", 4.0)
    env = envelope(x, SR, 0.1)
    loud = np.flatnonzero(env > 0.1 * env.max()) * 0.1
    assert 0.7 <= loud[-1] - loud[0] <= 2.5
    assert 400 < centroid(x, SR) < 3000


# --- bells -----------------------------------------------------------------------


def test_church_bell_has_inharmonic_partials_and_rings_long() -> None:
    x = render("a church bell", 6.0)
    for ratio in (0.5, 1.0, 1.19, 1.5, 2.0):  # hum, prime, minor-third tierce, quint, nominal
        assert level_at(x, SR, 330 * ratio, width=4) > 25, ratio
    first = envelope(x[: 3 * SR], SR, 0.05)
    assert first[-10:].mean() > 0.1 * first.max()  # still ringing ~3 s after the strike


def test_doorbell_rings_ding_then_dong() -> None:
    x = render("a doorbell", 3.0)
    assert level_at(x, SR, 659.25) > 30 and level_at(x, SR, 523.25) > 30
    ding, dong = band_onset(x, SR, 640, 680), band_onset(x, SR, 505, 540)
    assert dong - ding == pytest.approx(0.6, abs=0.06)


# --- people ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "expected", "gap"),
    [
        ("footsteps at 120 bpm", 10, 0.1),
        ("footsteps on a wooden floor at 120 bpm", 10, 0.1),
        ("footsteps on gravel at 120 bpm", 10, 0.3),
        ("шаги по снегу 120 шагов в минуту", 10, 0.3),
        ("footsteps", 9, 0.1),
        ("fast footsteps", 16, 0.1),
    ],
)
def test_footsteps_follow_the_tempo(prompt: str, expected: int, gap: float) -> None:
    assert abs(len(onsets(render(prompt, 5.0), SR, min_gap=gap)) - expected) <= 1


def test_footstep_surfaces_sound_different() -> None:
    gravel = centroid(render("footsteps on gravel"), SR)
    wood = centroid(render("footsteps on wood"), SR)
    snow = centroid(render("footsteps on snow"), SR)
    assert gravel > snow and gravel > wood


def test_heartbeat_is_low_and_periodic() -> None:
    x = render("a heartbeat at 60 bpm", 6.0)
    assert centroid(x, SR) < 300
    assert dominant_period(envelope(x, SR, 0.01), 0.01, 0.6, 1.6) == pytest.approx(1.0, abs=0.05)
    fast = render("fast heartbeat", 6.0)
    assert dominant_period(envelope(fast, SR, 0.01), 0.01, 0.3, 1.6) < 0.6


def test_applause_is_dense_and_bright() -> None:
    x = render("applause", 5.0)
    assert 800 < centroid(x, SR) < 4500
    env = envelope(x[SR:], SR, 0.25)
    assert env.std() / env.mean() < 0.4  # many claps blur into a steady roar


def test_crowd_murmur_sits_in_the_voice_band() -> None:
    x = render("crowd murmur", 5.0)
    assert 300 < centroid(x, SR) < 2000
    assert band_fraction(x, SR, 100, 4000) > 0.85


# --- vehicles --------------------------------------------------------------------


def test_car_engine_fires_at_rpm_times_cylinders() -> None:
    # Four-stroke four-cylinder at 1200 rpm: 1200 / 60 * 4 / 2 = 40 firings a second.
    x = render("a car engine at 1200 rpm", 3.0)
    assert dominant_period(x, 1 / SR, 1 / 80, 1 / 25) == pytest.approx(1 / 40, rel=0.08)
    assert band_fraction(x, SR, 0, 1000) > 0.8


def test_motorbike_is_raspier_than_a_car() -> None:
    assert centroid(render("a motorbike"), SR) > 1.5 * centroid(render("a car engine"), SR)


def test_train_clacks_once_per_carriage() -> None:
    x = render("a train on tracks", 8.0)
    period = dominant_period(envelope(x, SR, 0.01), 0.01, 0.9, 2.0)
    assert period == pytest.approx(20 / 15, rel=0.08)  # 20 m carriages at 15 m/s


def test_aeroplane_passes_over() -> None:
    x = render("an aeroplane flying over", 9.0)
    env = envelope(x, SR, 1.0)
    assert 3 <= int(np.argmax(env)) <= 5 and env.max() > 2 * env[0]
    assert centroid(x, SR) < 2000


def test_engine_hum_is_a_low_drone() -> None:
    x = render("engine hum")
    assert abs(peak_frequency(x, SR) - 45) <= 2
    assert abs(peak_frequency(render("engine hum at 60 Hz"), SR) - 60) <= 2


# --- signals ---------------------------------------------------------------------


def test_beeps_are_counted_and_gated() -> None:
    x = render("three 1 kHz beeps", 4.0)
    assert len(onsets(x, SR)) == 3
    assert abs(peak_frequency(x, SR) - 1000) <= 2


def test_north_american_dial_tone_is_350_plus_440() -> None:
    x = render("dial tone", 2.0)
    assert level_at(x, SR, 350, 1) > 40 and level_at(x, SR, 440, 1) > 40
    assert abs(peak_frequency(x, SR, 300, 400) - 350) < 1 and abs(peak_frequency(x, SR, 400, 500) - 440) < 1
    env = envelope(x[SR // 10 : -SR // 10], SR, 0.05)
    assert env.std() / env.mean() < 0.05  # continuous


@pytest.mark.parametrize("prompt", ["european dial tone", "гудок в трубке"])
def test_european_dial_tone_is_425(prompt: str) -> None:
    x = render(prompt, 2.0)
    assert abs(peak_frequency(x, SR) - 425) < 1
    assert relative_db(x, SR, 350, 1) < -40 and relative_db(x, SR, 440, 1) < -40


def test_busy_tones_follow_their_standards() -> None:
    x = render("busy signal", 4.0)
    assert abs(peak_frequency(x, SR, 450, 550) - 480) < 1 and abs(peak_frequency(x, SR, 550, 700) - 620) < 1
    assert dominant_period(envelope(x, SR, 0.01), 0.01, 0.5, 1.5) == pytest.approx(1.0, abs=0.02)  # 0.5 s on, 0.5 s off
    ru = render("короткие гудки", 4.0)
    assert abs(peak_frequency(ru, SR) - 425) < 1


def test_phone_rings_two_seconds_on_four_off_with_a_20_hz_hammer() -> None:
    x = render("a phone ringing", 6.0)
    env = envelope(x, SR, 0.005)
    ring = env[: int(2.0 / 0.005)]
    assert dominant_period(ring, 0.005, 0.03, 0.1) == pytest.approx(0.05, abs=0.005)
    assert envelope(x[int(2.5 * SR) : int(5.5 * SR)], SR, 0.1).max() < 0.1 * env.max()


def test_alarm_clock_beeps_in_groups_of_four() -> None:
    x = render("an alarm clock", 3.0)
    assert abs(peak_frequency(x, SR) - 2700) < 5
    assert len(onsets(x, SR, min_gap=0.08, floor=0.3)) == 12


def test_siren_sweeps_between_600_and_1400_hz() -> None:
    x = render("a siren", 8.0)
    f, _, z = signal.stft(x, SR, nperseg=2048)
    track = f[np.abs(z).argmax(axis=0)][4:-4]
    assert track.min() < 700 and track.max() > 1300
    yelp = render("police siren", 2.0)
    f, _, z = signal.stft(yelp, SR, nperseg=1024)
    track = f[np.abs(z).argmax(axis=0)]
    assert (np.diff(track) < -300).sum() >= 3  # the yelp restarts its sweep several times


# --- effects ---------------------------------------------------------------------


def test_whoosh_sweeps_up_and_back() -> None:
    x = render("a whoosh", 2.0)
    f, t, z = signal.stft(x, SR, nperseg=1024)
    power = np.abs(z) ** 2
    loud = power.sum(axis=0) > 0.05 * power.sum(axis=0).max()
    cent = (f[:, None] * power).sum(axis=0) / (power.sum(axis=0) + 1e-20)
    c = cent[loud]
    assert c.max() > 2 * c[0] and c.max() > 2 * c[-1]
    attack, decay = attack_and_decay(x, SR)
    assert attack > 0.06 and decay > 0.2  # swells and fades, no hard hit


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_explosion_hits_instantly_and_rumbles_on(seed: int) -> None:
    x = render("an explosion", 6.0, seed)
    attack, decay = attack_and_decay(x, SR)
    assert attack < 0.15 and decay > 1.0
    assert band_fraction(x, SR, 0, 500) > 0.5


def test_laser_zap_falls_in_pitch() -> None:
    x = render("one laser zap", 1.0)
    start = int(np.flatnonzero(np.abs(x) > 0.05 * np.abs(x).max())[0])
    early = peak_frequency(x[start : start + 1024], SR, 100)
    late = peak_frequency(x[start + int(0.12 * SR) : start + int(0.12 * SR) + 1024], SR, 100)
    assert early > 2 * late


def test_coin_plays_b5_then_e6() -> None:
    x = render("a coin pickup", 1.0)
    start = int(np.flatnonzero(np.abs(x) > 0.05 * np.abs(x).max())[0])
    assert abs(peak_frequency(x[start : start + int(0.06 * SR)], SR, 500, 1200) - 987.77) < 15
    assert abs(peak_frequency(x[start + int(0.1 * SR) : start + int(0.4 * SR)], SR, 500, 2000) - 1318.51) < 3


# --- later additions -------------------------------------------------------------


def test_helicopter_blades_slap_about_18_times_a_second() -> None:
    x = render("a helicopter", 4.0)
    assert dominant_period(envelope(x, SR, 0.005), 0.005, 0.03, 0.12) == pytest.approx(1 / 18, rel=0.1)


def test_gunshot_is_an_instant_crack_with_a_short_tail() -> None:
    x = render("a gunshot", 3.0)
    attack, decay = attack_and_decay(x, SR, frame=0.005)
    assert attack < 0.02 and 0.02 < decay < 1.0
    assert len(onsets(x, SR)) == 1
    assert len(onsets(render("three gunshots", 3.0), SR, min_gap=0.3)) == 3


def test_glass_breaking_is_a_bright_shower() -> None:
    x = render("glass breaking", 2.0)
    assert centroid(x, SR) > 3000
    env = envelope(x, SR, 0.1)
    assert env[:10].sum() > 0.8 * env.sum()  # almost all within the first second


def test_cat_meow_rises_then_falls_in_pitch() -> None:
    x = render("a cat meowing", 1.5)
    f, t, z = signal.stft(x, SR, nperseg=2048, noverlap=1536)
    fundamental = (f > 350) & (f < 830)  # the meow's f0 range, below its lowest second harmonic
    mag = np.abs(z[fundamental])
    band = f[fundamental]
    loud = mag.max(axis=0) > 0.2 * mag.max()
    track = band[mag.argmax(axis=0)][loud]
    top = int(np.argmax(track))
    assert 0 < top < track.size - 1
    assert track[top] > 1.2 * track[0] and track[top] > 1.2 * track[-1]


def test_train_horn_sounds_its_chord() -> None:
    x = render("a train horn", 3.0)
    for f in (311.1, 370.0, 466.2):
        assert level_at(x, SR, f, width=3) > 30, f


def test_aeroplane_pitch_drops_as_it_passes() -> None:
    x = render("an aeroplane flying over", 10.0)
    early = peak_frequency(x[: int(2.5 * SR)], SR, 80, 110)
    late = peak_frequency(x[-int(2.5 * SR) :], SR, 80, 110)
    assert early > 1.05 * late  # Doppler: about +4 % approaching, -4 % leaving
