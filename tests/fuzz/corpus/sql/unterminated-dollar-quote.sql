CREATE TABLE t (id int primary key);
CREATE FUNCTION f() RETURNS int AS $$ SELECT 1;
