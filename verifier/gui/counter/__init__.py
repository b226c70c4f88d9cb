"""The counter desk: patient, coverage check and lines on one keyboard-first screen."""

from verifier.gui.counter.widget import CounterWidget

__all__ = ["CounterWidget"]
