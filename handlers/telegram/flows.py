"""What command and message handlers route to: the shared services and the multi-step flows."""

from __future__ import annotations

from handlers.telegram.context import Services
from handlers.telegram.report_in import ReportInConversation
from handlers.telegram.service_steps import ServiceSteps
from handlers.telegram.wishes import WishPosting


class Flows:
    """The shared services and the report-in, service-step and wish-posting flows a handler hands work to."""

    def __init__(
        self, services: Services, report_in: ReportInConversation, steps: ServiceSteps, wishes: WishPosting
    ) -> None:
        self.services = services
        self.report_in = report_in
        self.steps = steps
        self.wishes = wishes
