"""The queue: every claim, filtered, searched and sorted, read page by page."""

from verifier.gui.queue.view import QueueView

__all__ = ["QueueView"]
