"""What ``tag models download audiolcm`` fetches: the published model repository
whole (its layout is ours), plus the CLAP config the re-ranking scorer reads."""

from tag.engines.make_an_audio.download import Source

SOURCES = (
    Source("liuhuadai/AudioLCM", "model", ("audiolcm.ckpt", "useful_ckpt/vocoder/*", "useful_ckpt/bert-base-uncased/*",
                                            "useful_ckpt/t5-v1_1-large/*", "useful_ckpt/FrozenCLAPFLANEmbedder/*"), "."),
    Source("microsoft/msclap", "model", ("config.yml",), "useful_ckpt/FrozenCLAPFLANEmbedder"),
)
