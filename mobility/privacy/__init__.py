"""Personal data: the right of access and portability, erasure on request and by retention,
the access log's retention. See docs/privacy.md (the register of what is kept and why)."""
