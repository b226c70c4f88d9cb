"""Reference screens for administrators: insurers and operators, users, drugs, settings."""

from verifier.gui.admin.panel import AdminPanel

__all__ = ["AdminPanel"]
