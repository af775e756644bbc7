"""Text to image: a latent diffusion pipeline of the Stable Diffusion architecture, trained on a
procedural world of captioned shapes (``scenes``), taken apart live, and a program that reads a
generated image back (``judge``). The bundled pipeline is ``assets/models/shapes-sd`` (made by
``training/train_shapes_sd.py``); it loads offline with ``StableDiffusionPipeline.from_pretrained``.
"""

from components.labs import Lab
from demos.text2image import strings

LAB = Lab(key="text2image", order=60, tab_label="t2i_tab", package=__name__, strings=strings)
