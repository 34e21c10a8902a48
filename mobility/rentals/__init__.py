"""The rental's lifecycle: every step from the booking to the settlement, with its rules."""
