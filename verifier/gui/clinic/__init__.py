"""The clinic's counter (établissement de santé: stays) and the centre de santé's (consultations)."""

from verifier.gui.clinic.consultation_widget import ConsultationWidget
from verifier.gui.clinic.stay_widget import StayWidget

__all__ = ["ConsultationWidget", "StayWidget"]
