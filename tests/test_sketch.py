"""components.sketch: the inked pixels of a sketch-pad value."""

import numpy as np

from components.sketch import ink_mask


def test_ink_comes_from_the_stroke_layers_or_else_the_composite():
    layer = np.zeros((6, 6, 4), np.uint8)
    layer[2, 1:5, 3] = 255
    assert ink_mask({"layers": [layer], "composite": None}).sum() == 4
    composite = np.full((6, 6, 4), 255, np.uint8)      # opaque white paper ...
    composite[4, :, :3] = 0                             # ... with one black row
    assert ink_mask({"layers": [], "composite": composite}).sum() == 6
    odd = [layer, np.zeros((3, 3, 4), np.uint8)]        # layers of different sizes: use the composite
    assert ink_mask({"layers": odd, "composite": composite}).sum() == 6
    assert ink_mask(None) is None and ink_mask({"layers": [], "composite": None}) is None
