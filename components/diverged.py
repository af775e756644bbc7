"""The live-training contract's one exception, in a module without gradio: a training worker
process (``components.trainers``) imports the labs' ``core.py`` modules, which raise it, and
should not pay for importing the web framework."""

from __future__ import annotations


class Diverged(ValueError):
    """A loss or gradient became NaN or infinite at ``iteration``; ``what`` names the part that
    diverged (a network, a loss term). The run keeps the weights of its last good step."""

    def __init__(self, iteration: int, what: str):
        self.iteration, self.what = iteration, what
        super().__init__(f"training diverged at iteration {iteration}: {what} is not finite")

    def __reduce__(self):
        """Pickled by its two fields (an exception pickles ``args``, here the message only)."""
        return type(self), (self.iteration, self.what)
