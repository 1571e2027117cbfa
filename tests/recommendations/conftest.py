import pytest


@pytest.fixture
def in_request(app):
    """A request context, for service tests that read translated messages."""
    with app.test_request_context():
        yield
