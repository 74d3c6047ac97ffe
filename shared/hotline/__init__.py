"""The 12345 one-number service (一号: 12345 政务服务便民热线, C4, C23, C28): tickets
from every channel, routed by a rule table, answered within limits, followed up."""
