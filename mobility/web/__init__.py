"""The web layer shared by the features: error pages, form helpers."""
