"""Fine-tuning the Make-An-Audio UNet on a dataset folder (``tag finetune``).

``objective`` is the reference's loss, ``data`` the batches, ``lora`` what is
trained and the adapter folder it leaves, ``finetune`` the loop with its
checkpoints and validation, ``plots`` the loss curve.  Needs the ``train`` extra
(peft, accelerate, matplotlib).
"""
