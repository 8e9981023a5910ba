"""Email: composing messages from jinja2 templates (``compose``); sending comes with the distribution issue."""
