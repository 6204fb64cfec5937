-- Runs once when the compose Postgres is first created: the warehouse database and its owner.
create user scorecard with password 'scorecard' createrole;
create database warehouse owner scorecard;
