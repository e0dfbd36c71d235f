"""Flask extensions, created unbound here and initialised in `create_app`."""

from typing import TYPE_CHECKING

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from learningweek.core.database import Base

db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:
    # db.Model is made at run time from Base, out of a type checker's sight.
    class Model(Base):
        __abstract__ = True
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
