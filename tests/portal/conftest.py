from tests.notifications.factories import sms_receiver, smtp_server  # noqa: F401
