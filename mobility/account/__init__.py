"""One's own account: changing the password (forced after an admin's reset)."""
