"""Flask extensions, created unbound and bound to the app in create_app."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from app import rate_limit_storage  # noqa: F401  (registers the thread-safe memory://)
from app.db import Base

db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
# Memory storage by default; RATELIMIT_STORAGE_URI=redis://... shares it between workers.
limiter = Limiter(key_func=get_remote_address)
