"""verifier: manual coverage checks and a safe claim queue for French tiers payant outages."""

__version__ = "0.1.0"
