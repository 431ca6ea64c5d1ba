"""Random-weight peer models written in each model's published directory layout.

Tests build ``tiny`` ones (seconds to create and run); ``bench/bench_peers.py``
builds ``full`` ones whose shapes follow the published configurations, so timings
are those of the real networks.  Either is loaded through the engines' own loader,
exactly like downloaded weights.  Weights are random: the sound is noise-like, the
shapes, lengths and costs are real.

Tokenisers are small vocabularies built here (no downloads); with random weights
the exact vocabulary does not matter, only that ids fall inside the embedding.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import torch

Size = Literal["tiny", "full"]

_WORDS = (
    "a dog barks in the distance while rain falls on roof birds sing wind blows car engine "
    "piano music drum beat guitar crowd cheers water flows footsteps door slams thunder"
).split()


def _roberta_tokenizer(max_length: int):
    from transformers import RobertaTokenizer

    special = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    vocab = {tok: i for i, tok in enumerate(special)}
    # Byte-level BPE marks a leading space with "Ġ"; whole words keep merges trivial.
    letters = sorted({c for w in _WORDS for c in w} | {"Ġ"})
    for token in letters:
        vocab.setdefault(token, len(vocab))
    merges: list[tuple[str, str]] = []
    for word in _WORDS:
        for piece in (word, "Ġ" + word):
            current = piece[0]
            for char in piece[1:]:
                merge = (current, char)
                if merge not in merges:
                    merges.append(merge)
                current += char
                vocab.setdefault(current, len(vocab))
    return RobertaTokenizer(vocab=vocab, merges=merges, model_max_length=max_length)


def _t5_tokenizer(max_length: int):
    from transformers import T5Tokenizer

    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -2.0)]
    vocab += [("▁" + w, -5.0) for w in _WORDS] + [(c, -8.0) for c in "abcdefghijklmnopqrstuvwxyz"]
    return T5Tokenizer(vocab=vocab, extra_ids=0, model_max_length=max_length)


def _hifigan(size: Size, mel_bins: int):
    from transformers import SpeechT5HifiGan, SpeechT5HifiGanConfig

    if size == "tiny":
        # 160-sample hop at 16 kHz, as in the published vocoder, with tiny channels.
        config = SpeechT5HifiGanConfig(
            model_in_dim=mel_bins, sampling_rate=16000, upsample_initial_channel=16,
            upsample_rates=[10, 16], upsample_kernel_sizes=[20, 32], resblock_kernel_sizes=[3],
            resblock_dilation_sizes=[[1, 3]], normalize_before=False,
        )
    else:
        config = SpeechT5HifiGanConfig(
            model_in_dim=64, sampling_rate=16000, upsample_initial_channel=1024,
            upsample_rates=[5, 4, 2, 2, 2], upsample_kernel_sizes=[16, 16, 8, 4, 4],
            resblock_kernel_sizes=[3, 7, 11], resblock_dilation_sizes=[[1, 3, 5]] * 3, normalize_before=False,
        )
    return SpeechT5HifiGan(config)


def _mel_vae(size: Size):
    from diffusers import AutoencoderKL

    if size == "tiny":
        return AutoencoderKL(
            block_out_channels=[8, 16], in_channels=1, out_channels=1, norm_num_groups=8, layers_per_block=1,
            down_block_types=["DownEncoderBlock2D"] * 2, up_block_types=["UpDecoderBlock2D"] * 2, latent_channels=4,
        )
    return AutoencoderKL(
        block_out_channels=[128, 256, 512], in_channels=1, out_channels=1, layers_per_block=2,
        down_block_types=["DownEncoderBlock2D"] * 3, up_block_types=["UpDecoderBlock2D"] * 3,
        latent_channels=8, sample_size=512, scaling_factor=0.9228,
    )


def _ddim():
    from diffusers import DDIMScheduler

    return DDIMScheduler(
        beta_start=0.0015, beta_end=0.0195, beta_schedule="scaled_linear", clip_sample=False, set_alpha_to_one=False
    )


def _clap_text_config(size: Size):
    from transformers import ClapTextConfig

    if size == "tiny":
        return ClapTextConfig(
            vocab_size=400, hidden_size=8, intermediate_size=16, num_attention_heads=1, num_hidden_layers=1,
            projection_dim=8, max_position_embeddings=80, pad_token_id=1, bos_token_id=0, eos_token_id=2,
        )
    return ClapTextConfig(
        vocab_size=50265, hidden_size=768, intermediate_size=3072, num_attention_heads=12, num_hidden_layers=12,
        projection_dim=512, max_position_embeddings=514, pad_token_id=1, bos_token_id=0, eos_token_id=2,
    )


def write_audioldm(folder: Path, size: Size = "tiny", seed: int = 0) -> Path:
    """A random AudioLDM pipeline saved in ``folder`` (diffusers layout)."""
    from diffusers import AudioLDMPipeline, UNet2DConditionModel
    from transformers import ClapTextModelWithProjection

    torch.manual_seed(seed)
    if size == "tiny":
        unet = UNet2DConditionModel(
            block_out_channels=(8, 16), layers_per_block=1, norm_num_groups=8, sample_size=32,
            in_channels=4, out_channels=4, down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
            up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"), cross_attention_dim=(8, 16),
            class_embed_type="simple_projection", projection_class_embeddings_input_dim=8,
            class_embeddings_concat=True,
        )
        mel_bins = 8
    else:
        unet = UNet2DConditionModel(
            sample_size=128, in_channels=8, out_channels=8, layers_per_block=2,
            block_out_channels=(128, 256, 384, 640), cross_attention_dim=(128, 256, 384, 640),
            attention_head_dim=8,
            down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
            up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
            class_embed_type="simple_projection", projection_class_embeddings_input_dim=512,
            class_embeddings_concat=True,
        )
        mel_bins = 64
    pipe = AudioLDMPipeline(
        vae=_mel_vae(size), text_encoder=ClapTextModelWithProjection(_clap_text_config(size)),
        tokenizer=_roberta_tokenizer(77), unet=unet, scheduler=_ddim(), vocoder=_hifigan(size, mel_bins),
    )
    pipe.save_pretrained(folder)
    return folder


def write_audioldm2(folder: Path, size: Size = "tiny", seed: int = 0) -> Path:
    """A random AudioLDM 2 pipeline saved in ``folder`` in the published layout.

    As in the published folder, the language model is a bare ``GPT2Model``: named
    so in ``model_index.json`` and ``language_model/config.json``, its weights
    saved without the ``transformer.`` prefix of ``GPT2LMHeadModel``.
    """
    from diffusers import AudioLDM2Pipeline, AudioLDM2ProjectionModel, AudioLDM2UNet2DConditionModel
    from transformers import (
        ClapAudioConfig,
        ClapConfig,
        ClapFeatureExtractor,
        ClapModel,
        GPT2Config,
        GPT2Model,
        T5Config,
        T5EncoderModel,
    )

    torch.manual_seed(seed)
    if size == "tiny":
        audio_config = ClapAudioConfig(
            spec_size=8, window_size=4, num_mel_bins=8, intermediate_size=16, depths=[1, 1],
            num_attention_heads=[1, 1], num_hidden_layers=1, hidden_size=16, projection_dim=8,
            patch_size=2, patch_stride=2, patch_embed_input_channels=4,
        )
        clap = ClapModel(ClapConfig(text_config=_clap_text_config(size).to_dict(), audio_config=audio_config.to_dict(), projection_dim=8))
        t5 = T5EncoderModel(T5Config(vocab_size=64, d_model=16, d_ff=16, d_kv=8, num_heads=2, num_layers=1))
        gpt2 = GPT2Model(GPT2Config(n_embd=16, n_head=2, n_layer=1, vocab_size=64, n_positions=64))
        unet = AudioLDM2UNet2DConditionModel(
            block_out_channels=(8, 16), layers_per_block=1, norm_num_groups=8, sample_size=32,
            in_channels=4, out_channels=4, down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
            up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"), cross_attention_dim=([None, 16, 16],) * 2,
        )
        projection = AudioLDM2ProjectionModel(text_encoder_dim=8, text_encoder_1_dim=16, langauge_model_dim=16)
        mel_bins, max_new_tokens = 8, 4
    else:
        clap = ClapModel(ClapConfig(text_config=_clap_text_config(size).to_dict(), audio_config=ClapAudioConfig().to_dict(), projection_dim=512))
        t5 = T5EncoderModel(
            T5Config(vocab_size=32128, d_model=1024, d_ff=2816, d_kv=64, num_heads=16, num_layers=24,
                     feed_forward_proj="gated-gelu")
        )
        gpt2 = GPT2Model(GPT2Config(n_embd=768, n_head=12, n_layer=12, vocab_size=50257, n_positions=1024))
        # Per block: a self-attention layer, cross-attention to the GPT-2 states
        # (768) and to the Flan-T5 states (1024), as in the converted checkpoint.
        unet = AudioLDM2UNet2DConditionModel(
            sample_size=256, in_channels=8, out_channels=8, layers_per_block=2,
            block_out_channels=(128, 256, 384, 640), attention_head_dim=8,
            cross_attention_dim=([None, 768, 1024],) * 4,
            down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
            up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
        )
        projection = AudioLDM2ProjectionModel(text_encoder_dim=512, text_encoder_1_dim=1024, langauge_model_dim=768)
        mel_bins, max_new_tokens = 64, 8
    gpt2.config.max_new_tokens = max_new_tokens
    pipe = AudioLDM2Pipeline(
        vae=_mel_vae(size), text_encoder=clap, text_encoder_2=t5, projection_model=projection,
        language_model=gpt2, tokenizer=_roberta_tokenizer(77), tokenizer_2=_t5_tokenizer(128),
        feature_extractor=ClapFeatureExtractor(), unet=unet, scheduler=_ddim(), vocoder=_hifigan(size, mel_bins),
    )
    pipe.save_pretrained(folder)
    return folder


def write_stable_audio(folder: Path, size: Size = "tiny", seed: int = 0) -> Path:
    """A random Stable Audio Open pipeline saved in ``folder`` (diffusers layout)."""
    from diffusers import (
        AutoencoderOobleck,
        CosineDPMSolverMultistepScheduler,
        StableAudioDiTModel,
        StableAudioPipeline,
        StableAudioProjectionModel,
    )
    from transformers import T5Config, T5EncoderModel

    torch.manual_seed(seed)
    if size == "tiny":
        # 8 kHz and a 64-sample hop: 250 latent frames = a 2 s window.
        vae = AutoencoderOobleck(
            encoder_hidden_size=4, downsampling_ratios=[8, 8], decoder_channels=4, decoder_input_channels=3,
            audio_channels=2, channel_multiples=[1, 2], sampling_rate=8000,
        )
        transformer = StableAudioDiTModel(
            sample_size=250, in_channels=3, num_layers=1, attention_head_dim=4, num_attention_heads=2,
            num_key_value_attention_heads=1, out_channels=3, cross_attention_dim=8, time_proj_dim=8,
            global_states_input_dim=16, cross_attention_input_dim=8,
        )
        t5 = T5EncoderModel(T5Config(vocab_size=64, d_model=8, d_ff=16, d_kv=4, num_heads=2, num_layers=1))
        projection = StableAudioProjectionModel(text_encoder_dim=8, conditioning_dim=8, min_value=0, max_value=4)
    else:
        vae = AutoencoderOobleck(
            encoder_hidden_size=128, downsampling_ratios=[2, 4, 4, 8, 8], decoder_channels=128,
            decoder_input_channels=64, audio_channels=2, channel_multiples=[1, 2, 4, 8, 16], sampling_rate=44100,
        )
        transformer = StableAudioDiTModel(
            sample_size=1024, in_channels=64, num_layers=24, attention_head_dim=64, num_attention_heads=24,
            num_key_value_attention_heads=12, out_channels=64, cross_attention_dim=768, time_proj_dim=256,
            global_states_input_dim=1536, cross_attention_input_dim=768,
        )
        t5 = T5EncoderModel(T5Config(vocab_size=32128, d_model=768, d_ff=3072, d_kv=64, num_heads=12, num_layers=12))
        projection = StableAudioProjectionModel(text_encoder_dim=768, conditioning_dim=768, min_value=0, max_value=512)
    scheduler = CosineDPMSolverMultistepScheduler(
        sigma_min=0.3, sigma_max=500, solver_order=2, prediction_type="v_prediction", sigma_data=1.0,
        sigma_schedule="exponential",
    )
    pipe = StableAudioPipeline(
        vae=vae, text_encoder=t5, projection_model=projection, tokenizer=_t5_tokenizer(128),
        transformer=transformer, scheduler=scheduler,
    )
    pipe.save_pretrained(folder)
    return folder


def write_musicgen(folder: Path, size: Size = "tiny", seed: int = 0) -> Path:
    """A random MusicGen model + processor saved in ``folder`` (transformers layout)."""
    from transformers import (
        EncodecConfig,
        EncodecFeatureExtractor,
        MusicgenConfig,
        MusicgenDecoderConfig,
        MusicgenForConditionalGeneration,
        MusicgenProcessor,
        T5Config,
    )

    torch.manual_seed(seed)
    if size == "tiny":
        # 8 kHz with a 160-sample hop: 50 frames per second, as in the published model.
        encodec = EncodecConfig(
            sampling_rate=8000, upsampling_ratios=[8, 5, 4], num_filters=4, hidden_size=8, codebook_size=32,
            codebook_dim=8, num_lstm_layers=1, num_residual_layers=1, target_bandwidths=[0.5], audio_channels=1,
            normalize=False, use_causal_conv=False, compress=2,
        )
        text = T5Config(vocab_size=64, d_model=8, d_ff=16, d_kv=4, num_heads=2, num_layers=1)
        decoder = MusicgenDecoderConfig(
            vocab_size=32, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, ffn_dim=32,
            num_codebooks=encodec.num_quantizers, max_position_embeddings=512, audio_channels=1,
            pad_token_id=32, bos_token_id=32,
        )
    else:
        encodec = EncodecConfig(
            sampling_rate=32000, upsampling_ratios=[8, 5, 4, 4], num_filters=64, hidden_size=128,
            codebook_size=2048, codebook_dim=128, num_lstm_layers=2, num_residual_layers=1,
            target_bandwidths=[2.2], audio_channels=1, normalize=False, use_causal_conv=False, compress=2,
        )
        text = T5Config(vocab_size=32128, d_model=768, d_ff=3072, d_kv=64, num_heads=12, num_layers=12)
        decoder = MusicgenDecoderConfig(
            vocab_size=2048, hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, ffn_dim=4096,
            num_codebooks=encodec.num_quantizers, max_position_embeddings=2048, audio_channels=1,
        )
    config = MusicgenConfig(
        text_encoder=text.to_dict(), audio_encoder=encodec.to_dict(), decoder=decoder.to_dict()
    )
    model = MusicgenForConditionalGeneration(config)
    # EnCodec codebooks start at zero (they are learnt by k-means); with all-zero
    # codebooks every token decodes to the same sound, so give them random vectors.
    generator = torch.Generator().manual_seed(seed)
    for layer in model.audio_encoder.quantizer.layers:
        codebook = layer.codebook
        codebook.embed.copy_(torch.randn(codebook.embed.shape, generator=generator))
        codebook.embed_avg.copy_(codebook.embed)
        codebook.cluster_size.fill_(1.0)
    model.generation_config.decoder_start_token_id = decoder.bos_token_id
    model.generation_config.pad_token_id = decoder.pad_token_id
    model.generation_config.do_sample = True
    model.generation_config.guidance_scale = 3.0
    model.save_pretrained(folder)
    processor = MusicgenProcessor(
        feature_extractor=EncodecFeatureExtractor(feature_size=1, sampling_rate=encodec.sampling_rate),
        tokenizer=_t5_tokenizer(128),
    )
    processor.save_pretrained(folder)
    return folder
