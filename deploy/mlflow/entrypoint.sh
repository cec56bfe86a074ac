#!/bin/sh
# Render the basic-auth configuration from the environment (readable by this user only),
# then run the command (`mlflow server ...` from docker-compose.yml).
set -eu
for name in MLFLOW_DEFAULT_PERMISSION MLFLOW_AUTH_DATABASE_URI MLFLOW_ADMIN_USERNAME \
    MLFLOW_ADMIN_PASSWORD MLFLOW_FLASK_SERVER_SECRET_KEY; do
  eval "value=\${$name:-}"
  if [ -z "$value" ]; then
    echo "entrypoint: $name is not set (see deploy/.env.example)" >&2
    exit 2
  fi
done
for secret in "$MLFLOW_ADMIN_PASSWORD" "$MLFLOW_FLASK_SERVER_SECRET_KEY"; do
  case "$secret" in password1234 | change-me)
    echo "entrypoint: replace the example and built-in secrets in .env (MLFLOW_ADMIN_PASSWORD, MLFLOW_FLASK_SERVER_SECRET_KEY)" >&2
    exit 2;;
  esac
done
umask 077
config=/tmp/basic_auth.ini
python - "$config" <<'PY'
import os, string, sys
template = open("/etc/mlflow/basic_auth.ini.template").read()
open(sys.argv[1], "w").write(string.Template(template).substitute(os.environ))
PY
export MLFLOW_AUTH_CONFIG_PATH="$config"
exec "$@"
