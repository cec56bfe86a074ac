-- Run once by the postgres image on an empty volume: the basic-auth users and grants get a
-- database of their own beside the runs' one (POSTGRES_DB, "mlflow").
CREATE DATABASE mlflow_auth;
