"""Mixer pieces: part timing, distance, room, panning."""

from __future__ import annotations

import numpy as np
import pytest
from synth_acoustics import centroid, decay_time, envelope, peak_frequency

from tag.engines.synth import dsp, motion
from tag.engines.synth.mixer import event_rng, level, pan_gains, part_spans, render_event
from tag.engines.synth.parser import Event
from tag.engines.synth.sources import SOURCES, Params
from tag.engines.synth.space import LONGEST_IR, PLACES, apply_distance, reverb_ir, room_send

SR = 32000


def test_one_part_spans_the_clip() -> None:
    (span,) = part_spans(1, 1000, SR)
    assert (span.start, span.end, span.fade_in, span.fade_out) == (0, 1000, 0, 0)


def test_parts_follow_each_other_with_a_crossfade() -> None:
    n = 10 * SR
    spans = part_spans(3, n, SR)
    assert spans[0].start == 0 and spans[-1].end == n
    for a, b in zip(spans, spans[1:]):
        assert a.end - b.start == a.fade_out == b.fade_in > 0  # overlap equals the fades
    assert spans[0].fade_in == 0 and spans[-1].fade_out == 0


def test_level_matches_the_loudest_frame() -> None:
    rng = np.random.default_rng(0)
    steady = rng.standard_normal(SR)
    click = np.zeros(SR)
    click[100:200] = 5.0
    for x in (steady, click * 0.001, steady * 100):
        y = level(x, SR)
        k = int(0.05 * SR)
        frames = y[: y.size // k * k].reshape(-1, k)
        assert abs(np.sqrt((frames**2).mean(axis=1)).max() - 0.25) < 1e-6


def test_distance_darkens_and_quietens() -> None:
    x = dsp.white(np.random.default_rng(1), SR)
    far = apply_distance(x, 3.0, SR)
    assert centroid(far, SR) < 0.5 * centroid(x, SR)
    assert np.std(far) < np.std(x) / 3
    assert np.std(apply_distance(x, 0.5, SR)) > np.std(x)
    assert room_send(3.0, True) > room_send(1.0, True) > room_send(1.0, False) == 0.0


def test_reverb_tail_decays_by_its_rt60() -> None:
    ir = reverb_ir(np.random.default_rng(2), SR, 1.0, 2)
    assert ir.shape == (SR, 2)
    assert np.allclose((ir**2).sum(axis=0), 1.0)
    early = (ir[int(0.05 * SR) : int(0.15 * SR)] ** 2).mean()
    late = (ir[int(0.55 * SR) : int(0.65 * SR)] ** 2).mean()
    assert 20 < 10 * np.log10(early / late) < 40  # ~ -60 dB per second: about 30 dB in 0.5 s
    assert not np.allclose(ir[:, 0], ir[:, 1])  # decorrelated channels give width


def test_constant_power_panning() -> None:
    for pan in (-1.0, -0.3, 0.0, 0.6, 1.0):
        left, right = pan_gains(pan)
        assert abs(left**2 + right**2 - 1) < 1e-12
    assert pan_gains(-1.0)[1] < 1e-12 and pan_gains(1.0)[0] < 1e-12


def test_event_streams_are_reproducible_and_distinct() -> None:
    a = event_rng(5, 0, "rain").standard_normal(4)
    assert np.array_equal(a, event_rng(5, 0, "rain").standard_normal(4))
    assert not np.array_equal(a, event_rng(5, 1, "rain").standard_normal(4))
    assert not np.array_equal(a, event_rng(5, 0, "wind").standard_normal(4))


@pytest.mark.parametrize(("place", "low", "high"), [("cave", 2.5, 3.3), ("hall", 1.6, 2.3), ("room", 0.3, 0.5)])
def test_place_reverbs_decay_in_their_time(place: str, low: float, high: float) -> None:
    p = PLACES[place]
    ir = reverb_ir(np.random.default_rng(3), SR, p.rt60, 1, p.predelay, p.bright, p.echoes)[:, 0]
    assert low < decay_time(ir, SR) < high
    assert ir.size <= LONGEST_IR * SR  # the convolution stays bounded
    first = np.flatnonzero(np.abs(ir) > 1e-9)[0] / SR
    assert first == pytest.approx(p.predelay, abs=0.002)


def test_a_cave_answers_with_separate_echoes() -> None:
    p = PLACES["cave"]
    ir = reverb_ir(np.random.default_rng(3), SR, p.rt60, 1, p.predelay, p.bright, p.echoes)[:, 0]
    env = envelope(ir, SR, 0.004)
    for delay, _ in p.echoes:
        k = int(delay / 0.004)
        assert env[k : k + 2].max() > 2 * np.median(env[k - 12 : k + 12])


def test_motion_shifts_pitch_by_the_doppler_factor_and_swells() -> None:
    n = 8 * SR
    sine = np.sin(dsp.TAU * 1000 * np.arange(motion.needed("pass", n, SR)) / SR)
    heard, pan = motion.move(sine, "pass", n, SR, np.random.default_rng(0))
    assert heard.size == n == pan.size
    early = peak_frequency(heard[: SR], SR, 800, 1200)
    late = peak_frequency(heard[-SR:], SR, 800, 1200)
    assert early == pytest.approx(1000 * (1 + motion.SPEED_RATIO * 0.97), rel=0.01)
    assert late == pytest.approx(1000 * (1 - motion.SPEED_RATIO * 0.97), rel=0.01)
    env = envelope(heard, SR, 0.5)
    assert 6 <= int(np.argmax(env)) <= 9 and env.max() > 3 * env[0]
    assert pan[0] * pan[-1] < 0 and abs(pan[0]) > 0.8


def test_groups_layer_different_takes_of_a_single_voice_only() -> None:
    one = render_event(SOURCES["dog"], Event("dog"), 0, 0, 4 * SR, SR)
    many = render_event(SOURCES["dog"], Event("dog", Params(group=3)), 0, 0, 4 * SR, SR)
    assert np.sum(many**2) > 1.8 * np.sum(one**2)
    rain = render_event(SOURCES["rain"], Event("rain", Params(group=3)), 0, 0, SR, SR)
    assert np.array_equal(rain, render_event(SOURCES["rain"], Event("rain"), 0, 0, SR, SR))  # already many
