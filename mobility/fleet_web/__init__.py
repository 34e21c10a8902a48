"""Fleet pages and API: the web side of the `fleet` package."""
