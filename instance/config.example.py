# Copy to instance/config.py to override consult/config.py's defaults for this deployment.
# Environment variables (CONSULT_*, DATABASE_URL, REDIS_URL) override this file in turn.

# SECRET_KEY = "a long random string"                       # or CONSULT_SECRET_KEY
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://consult@localhost/consult"   # or DATABASE_URL
# REDIS_URL = "redis://localhost:6379/0"                     # broker, results, rate limits
# CONSULT_MAIL_SERVER = "smtp.example.org"
# CONSULT_MAIL_FROM = "projet-clinique@example.org"
# CONSULT_BASE_URL = "https://consult.example.org"
# CONSULT_PROXIES = 1                                        # behind one reverse proxy
