from tests.notifications.servers import sms_receiver, smtp_server  # noqa: F401
