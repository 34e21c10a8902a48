"""Documents: the shared PDF toolkit and the état des lieux of a rental."""
