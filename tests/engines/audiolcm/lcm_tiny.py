"""A tiny random AudioLCM written in the official file layout, for the tests."""

from __future__ import annotations

from pathlib import Path

import torch
import yaml

from tag.engines.audiolcm.architecture import load_architecture
from tag.engines.audiolcm.autoencoder import MelDecoder
from tag.engines.audiolcm.backbone import ConcatDiT
from tag.engines.clap.testing import write_tiny_clap, write_tiny_tokenizer
from tag.engines.make_an_audio.convert import reference_alphas_cumprod
from tag.engines.make_an_audio.loading import default_text_encoder
from tag.engines.make_an_audio.vocoder import write_tiny_vocoder

CONTEXT = 32
T5_CONFIG = None  # the benchmark sets the full-size T5 here
BERT_CONFIG = None  # and may set a full-size BERT for both CLAP text towers (conditioning, scorer)
CONFIG = {
    "model": {
        "params": {
            "timesteps": 1000, "linear_start": 0.00085, "linear_end": 0.012, "mel_length": 32,
            "num_ddim_timesteps": 50,
            "unet_config": {"params": {"in_channels": 4, "context_dim": CONTEXT, "hidden_size": 64,
                                       "num_heads": 4, "depth": 1, "max_len": 1000}},
            "first_stage_config": {"params": {"embed_dim": 4, "ddconfig": {
                "in_channels": 80, "out_ch": 80, "z_channels": 4, "kernel_size": 5, "ch": 32,
                "ch_mult": [1, 2], "num_res_blocks": 1, "attn_layers": [3], "down_layers": [0]}}},
        }
    }
}


def _random(module: torch.nn.Module, g: torch.Generator) -> dict[str, torch.Tensor]:
    return {k: 0.2 * torch.randn(v.shape, generator=g) for k, v in module.state_dict().items()}


def _write_t5(folder: Path, g: torch.Generator) -> dict[str, torch.Tensor]:
    import sentencepiece as spm
    from transformers import T5Config, T5EncoderModel

    folder.mkdir(parents=True, exist_ok=True)
    corpus = folder / "corpus.txt"
    corpus.write_text("\n".join(["<a dog barks& all>", "rain falls on a tin roof", "birds sing at dawn"] * 40))
    spm.SentencePieceTrainer.train(input=str(corpus), model_prefix=str(folder / "spiece"), vocab_size=24,
                                   pad_id=0, eos_id=1, unk_id=2, bos_id=-1, minloglevel=2)
    corpus.unlink()
    (folder / "spiece.vocab").unlink()
    (folder / "tokenizer_config.json").write_text('{"extra_ids": 0}')
    config = T5_CONFIG or T5Config(vocab_size=24, d_model=CONTEXT, d_kv=8, d_ff=48, num_layers=1, num_heads=4,
                                   feed_forward_proj="gated-gelu", is_encoder_decoder=False, use_cache=False)
    config.to_json_file(str(folder / "config.json"))
    return _random(T5EncoderModel(config), g)


def tiny_state(root: Path, seed: int = 0) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    arch = load_architecture(root / "audiolcm.yaml")
    state: dict[str, torch.Tensor] = {}
    student = _random(ConcatDiT(arch.dit), g)
    for prefix in ("unet.diffusion_model.", "model.diffusion_model.", "target_unet.diffusion_model."):
        state.update({prefix + k: v.clone() for k, v in student.items()})
    state.update({"first_stage_model." + k: v for k, v in _random(MelDecoder(arch.autoencoder), g).items()})
    state["first_stage_model.encoder.conv_in.weight"] = torch.randn(32, 80, 5, generator=g)  # unused half
    clap = default_text_encoder(root / "useful_ckpt" / "bert-base-uncased", CONTEXT)
    state.update({"cond_stage_model.caption_encoder." + k: v for k, v in _random(clap, g).items()})
    t5 = _write_t5(root / "useful_ckpt" / "t5-v1_1-large", g)
    state.update({"cond_stage_model.t5_transformer." + k: v for k, v in t5.items()})
    state["scale_factor"] = torch.tensor(0.8)
    state["alphas_cumprod"] = reference_alphas_cumprod(arch.schedule)
    return state


def write_tiny_model(root: Path, seed: int = 0, vocoder=None) -> Path:  # type: ignore[no-untyped-def]
    root.mkdir(parents=True, exist_ok=True)
    (root / "audiolcm.yaml").write_text(yaml.safe_dump(CONFIG))
    bert_dir = write_tiny_tokenizer(root / "useful_ckpt" / "bert-base-uncased", with_config=BERT_CONFIG is None)
    if BERT_CONFIG is not None:
        BERT_CONFIG.to_json_file(str(bert_dir / "config.json"))
    write_tiny_vocoder(root / "useful_ckpt" / "vocoder", seed=seed, config=vocoder)
    write_tiny_clap(root / "useful_ckpt" / "FrozenCLAPFLANEmbedder", seed=seed, bert=BERT_CONFIG)
    torch.save({"state_dict": tiny_state(root, seed)}, root / "audiolcm.ckpt")
    return root
