"""The error a service raises when a domain rule refuses the input."""


class RuleViolation(Exception):
    """Input that breaks a rule of the domain; the view answers 4xx with the message.

    `field` names the form field the message belongs to, or None for the form as a whole.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class Conflict(RuleViolation):
    """Someone else changed the record first; the view answers 409."""
