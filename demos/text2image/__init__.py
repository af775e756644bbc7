"""Text to image: a latent diffusion pipeline of the Stable Diffusion architecture, trained on a
procedural world of captioned shapes (``scenes``), and a program that reads a generated image back
(``judge``). The bundled pipeline is ``assets/models/shapes-sd`` (made by
``training/train_shapes_sd.py``); it loads offline with ``StableDiffusionPipeline.from_pretrained``.
"""
