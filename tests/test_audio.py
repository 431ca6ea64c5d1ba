import numpy as np
import pytest

from tag import audio

RATE = 16000


def tone(seconds=1.5, freq=440.0, rate=RATE, amp=0.3):
    t = np.arange(int(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.mark.parametrize("fmt", ["wav", "ogg", "mp3"])
@pytest.mark.parametrize("rate", [16000, 44100])
def test_encoded_audio_decodes_to_the_same_length_and_rate(fmt, rate):
    samples = tone(rate=rate)
    decoded, decoded_rate = audio.decode(audio.encode(samples, rate, fmt))
    expected_rate = rate if fmt != "ogg" or rate in (16000, 48000) else 48000
    assert decoded_rate == expected_rate
    assert abs(decoded.shape[0] - samples.shape[0] * expected_rate / rate) <= expected_rate * 0.001
    # The codec kept the tone: the spectral peak is still at 440 Hz.
    spectrum = np.abs(np.fft.rfft(decoded))
    assert abs(np.argmax(spectrum) * decoded_rate / decoded.shape[0] - 440) < 2


def test_wav_is_16_bit_pcm_and_stereo_survives():
    import io

    import soundfile as sf

    stereo = np.stack([tone(), tone(freq=660)], axis=1)
    info = sf.info(io.BytesIO(audio.encode(stereo, RATE, "wav")))
    assert info.subtype == "PCM_16" and info.channels == 2 and info.frames == stereo.shape[0]


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="flac"):
        audio.encode(tone(), RATE, "flac")


def test_fit_length_is_exact():
    x = tone(1.0)
    assert audio.fit_length(x, 12345).shape == (12345,)
    padded = audio.fit_length(x, 20000)
    assert padded.shape == (20000,) and not padded[16000:].any()
    assert audio.fit_length(np.zeros((100, 2), np.float32), 50).shape == (50, 2)


def test_fades_remove_clicks_at_the_edges():
    x = np.ones(RATE, np.float32)
    faded = audio.fade_edges(x, RATE)
    assert faded[0] == 0 and faded[-1] == 0 and faded[RATE // 2] == 1


def test_loudness_normalisation_reaches_the_target_and_respects_the_ceiling():
    quiet = tone(amp=0.01)
    loud = audio.normalize_loudness(quiet, RATE, target_lufs=-20)
    assert abs(audio.loudness_lufs(loud, RATE) - -20) < 0.1
    limited = audio.normalize_loudness(quiet, RATE, target_lufs=0, peak_ceiling_db=-1)
    assert audio.peak_db(limited) == pytest.approx(-1, abs=0.01)


def test_loudness_of_a_full_scale_1k_tone_is_about_minus_3():
    # BS.1770: a 0 dBFS 1 kHz sine reads about -3.01 LUFS.
    assert audio.loudness_lufs(tone(3, 1000, 48000, 1.0), 48000) == pytest.approx(-3.0, abs=0.15)


def test_silence_stays_silent():
    silence = np.zeros(RATE, np.float32)
    assert not audio.normalize_loudness(silence, RATE).any()
    assert not audio.normalize_peak(silence).any()


@pytest.mark.parametrize(("fmt", "rate"), [("wav", 16000), ("ogg", 16000), ("mp3", 16000)])
def test_condition_delivers_exact_length_and_target_loudness(fmt, rate):
    data, encoded = audio.condition(tone(1.3, amp=0.01), RATE, 1.0, fmt)
    samples, decoded_rate = audio.decode(data)
    assert encoded == decoded_rate == rate
    assert abs(samples.shape[0] - rate) <= rate * 0.001
    assert audio.loudness_lufs(samples, decoded_rate) == pytest.approx(audio.LOUDNESS_TARGET_LUFS, abs=0.5)
