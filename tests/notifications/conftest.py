from tests.notifications.providers import brevo, ovh_api  # noqa: F401
from tests.notifications.servers import sms_receiver, smtp_server  # noqa: F401
