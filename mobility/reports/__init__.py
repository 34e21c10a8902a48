"""Activity reports for funders: a platform's (or a network's) figures for a period."""
